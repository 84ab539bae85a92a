//! Where a page of a list stands, said the same way by every list command: the text
//! footer and the `meta` object of `--output json`.
//!
//! Why: a list that shows page 1 without saying that page 2 exists is how an operator
//! concluded that a lost recharge "was not applied" and sent it again (issue 12). Every
//! list therefore says when there are more pages and how to get them.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use super::plural;
use crate::failure::CliError;

/// Where one page stands among the pages of a list, as far as the provider's answer (or a
/// look at the next page) tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// This page's number, from 1.
    pub current: u64,
    /// The last page's number, when known.
    pub last: Option<u64>,
    /// How many items all pages hold, when known.
    pub total: Option<u64>,
    /// Whether a page after this one holds items (`None`: unknown).
    pub more: Option<bool>,
    /// Whether the command has `--all` (the footer then offers it).
    pub all_flag: bool,
}

impl PageInfo {
    /// A page of a list whose answer says how many items there are, `per_page` a page.
    pub fn counted(current: u64, per_page: u64, total: u64, all_flag: bool) -> Self {
        let last = total.div_ceil(per_page.max(1)).max(1);
        PageInfo::known(current, last, Some(total), all_flag)
    }

    /// A page of a list whose answer gives the last page's number.
    pub fn known(current: u64, last: u64, total: Option<u64>, all_flag: bool) -> Self {
        PageInfo {
            current,
            last: Some(last),
            total,
            more: Some(current < last),
            all_flag,
        }
    }

    /// The `meta` object of `--output json`: `current_page`, `last_page` and `total`
    /// (`null` when unknown), and `more` (whether a later page holds items).
    pub fn json(&self) -> Value {
        json!({
            "current_page": self.current,
            "last_page": self.last,
            "total": self.total,
            "more": self.more,
        })
    }

    /// Where the page stands, e.g. `page 1 of 2 (21 records); more: --page 2 or --all`.
    pub fn describe(&self, one: &str, many: &str) -> String {
        let (p, next) = (self.current, self.current.saturating_add(1));
        let mut line = match (self.last, self.more) {
            (Some(last), _) => format!("page {p} of {last}"),
            (None, Some(true)) => format!("page {p} of more than {p}"),
            (None, Some(false)) => format!("page {p} of {p}"),
            (None, None) => format!("page {p}"),
        };
        if let Some(total) = self.total {
            line.push_str(&format!(" ({})", plural(to_usize(total), one, many)));
        }
        let how = if self.all_flag {
            format!("--page {next} or --all")
        } else {
            format!("--page {next}")
        };
        match self.more {
            Some(true) => line.push_str(&format!("; more: {how}")),
            None => line.push_str(&format!("; there may be more: {how}")),
            Some(false) => {}
        }
        line
    }
}

/// The footer of a list: how many items this page shows, then where the page stands.
/// `3 records; page 1 of 2 (18 records); more: --page 2 or --all`.
pub fn footer(shown: usize, one: &str, many: &str, page: Option<&PageInfo>) -> String {
    let mut line = plural(shown, one, many);
    if let Some(page) = page {
        line.push_str("; ");
        line.push_str(&page.describe(one, many));
    }
    line
}

/// How `--all` shows on stderr which page it is fetching: the data alone goes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Nothing (`--quiet`; `--output json` off a terminal, whose stderr is kept for the
    /// one JSON error object).
    Off,
    /// A `voxkit: listing cards: page 2… (15 so far)` line per page from the second on
    /// (a one-page list prints nothing): readable in a log or CI.
    Lines,
    /// An indicatif spinner on the terminal while a page is awaited, cleared as soon as
    /// its items arrive (so that rows streamed to the same terminal never mix with it).
    Spinner,
}

/// Where progress lines go (stderr; a test collects them).
type Sink = Box<dyn FnMut(String) + Send>;

/// A paged listing (`--all`) that says on stderr which page it is fetching: the one
/// progress of every list command, so that a walk over hundreds of pages is never a
/// silent wait (issue 18).
///
/// How it knows a page: the SDK's walks (core's `page::walk`) yield a page's items all at
/// once and only wait on the server when they fetch the next page, so each time the stream
/// has to wait after an item (or before the first one) a new page is being fetched. Retries
/// of one page are one wait, and a walk's last, empty page is a page fetched too.
pub struct Paged<S> {
    inner: S,
    what: &'static str,
    mode: ProgressMode,
    sink: Sink,
    page: u64,
    listed: u64,
    waiting: bool,
    spinner: Option<ProgressBar>,
}

impl<S> std::fmt::Debug for Paged<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paged")
            .field("what", &self.what)
            .field("mode", &self.mode)
            .field("page", &self.page)
            .field("listed", &self.listed)
            .finish_non_exhaustive()
    }
}

impl<S> Paged<S> {
    /// `inner`'s items, with progress in `mode`; `what` names the items (`"cards"`).
    pub fn new(inner: S, what: &'static str, mode: ProgressMode) -> Self {
        Paged::with_sink(
            inner,
            what,
            mode,
            Box::new(|line| super::write_stderr(&line)),
        )
    }

    fn with_sink(inner: S, what: &'static str, mode: ProgressMode, sink: Sink) -> Self {
        Paged {
            inner,
            what,
            mode,
            sink,
            page: 0,
            listed: 0,
            waiting: false,
            spinner: None,
        }
    }

    /// A page is being fetched: say so.
    fn started(&mut self) {
        self.waiting = true;
        self.page += 1;
        let so_far = format!("{} so far", self.listed);
        match self.mode {
            ProgressMode::Off => {}
            ProgressMode::Lines if self.page < 2 => {}
            ProgressMode::Lines => (self.sink)(format!(
                "voxkit: listing {}: page {}… ({so_far})",
                self.what, self.page
            )),
            ProgressMode::Spinner => {
                let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                    spinner.set_style(style);
                }
                spinner.set_message(format!(
                    "voxkit: listing {}: page {} ({so_far})",
                    self.what, self.page
                ));
                spinner.enable_steady_tick(Duration::from_millis(120));
                self.spinner = Some(spinner);
            }
        }
    }

    /// The wait is over (items, the end or an error came).
    fn settled(&mut self) {
        self.waiting = false;
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

impl<S: Stream + Unpin> Stream for Paged<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_next(cx);
        match &polled {
            Poll::Pending if !this.waiting => this.started(),
            Poll::Pending => {}
            Poll::Ready(Some(_)) => {
                this.settled();
                this.listed += 1;
            }
            Poll::Ready(None) => this.settled(),
        }
        polled
    }
}

impl<S> Drop for Paged<S> {
    fn drop(&mut self) {
        self.settled();
    }
}

/// Every item of an `--all` walk (wrapped by `Global::pages` for its progress), in the
/// walk's order. A failure part way is the error with a hint saying how many items were
/// listed before it, so that an incomplete listing is never taken for the whole list:
/// the one way the list commands that print after the walk (not row by row) end it.
pub async fn collect_all<T, S>(mut items: S, one: &str, many: &str) -> Result<Vec<T>, CliError>
where
    S: Stream<Item = Result<T, voxkit_core::Error>> + Unpin,
{
    use futures_util::StreamExt as _;
    let mut all = Vec::new();
    while let Some(item) = items.next().await {
        match item {
            Ok(item) => all.push(item),
            Err(e) => {
                return Err(CliError::from(e).hint(format!(
                    "{} listed before the failure (the listing is incomplete)",
                    plural(all.len(), &format!("{one} was"), &format!("{many} were"))
                )));
            }
        }
    }
    Ok(all)
}

/// The JSON `meta` of an `--all` listing, the same in every list command (`cdkey list
/// --all` wrote it first): every page was read, `total` items, nothing more.
pub fn all_meta(listed: usize) -> Value {
    json!({"all": true, "total": listed, "more": false})
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_walk_that_fails_part_way_says_how_much_was_listed() {
        let origin = voxkit_core::Origin::new("longlonglong", "lines");
        let items = futures_util::stream::iter(vec![
            Ok(1),
            Ok(2),
            Err(voxkit_core::Error::api(origin, None, "busy")),
            Ok(3),
        ]);
        let error = collect_all(items, "line", "lines").await.unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("2 lines were listed before the failure (the listing is incomplete)")
        );
        let whole = futures_util::stream::iter(vec![Ok::<_, voxkit_core::Error>(1), Ok(2)]);
        assert_eq!(
            collect_all(whole, "line", "lines").await.unwrap(),
            vec![1, 2]
        );
    }

    #[test]
    fn footers_say_when_more_pages_exist() {
        let first = PageInfo::known(1, 2, Some(21), true);
        assert_eq!(
            footer(15, "record", "records", Some(&first)),
            "15 records; page 1 of 2 (21 records); more: --page 2 or --all"
        );
        let last = PageInfo::known(2, 2, Some(21), true);
        assert_eq!(
            footer(6, "record", "records", Some(&last)),
            "6 records; page 2 of 2 (21 records)"
        );
        let probed = PageInfo {
            current: 1,
            last: None,
            total: None,
            more: Some(true),
            all_flag: true,
        };
        assert_eq!(
            footer(15, "record", "records", Some(&probed)),
            "15 records; page 1 of more than 1; more: --page 2 or --all"
        );
        let unknown = PageInfo {
            more: None,
            all_flag: false,
            ..probed
        };
        assert_eq!(
            unknown.describe("task", "tasks"),
            "page 1; there may be more: --page 2"
        );
        assert_eq!(footer(1, "card", "cards", None), "1 card");
    }

    /// A page server: page `n` is ready only after one wait (as a fetch over the
    /// network is), then its items come at once; `pages` pages, then an empty one.
    fn pages(pages: u64, per_page: u64) -> impl Stream<Item = u64> + Unpin {
        use futures_util::StreamExt as _;
        let fetch = |n: u64| async move {
            let mut waited = false;
            std::future::poll_fn(|cx| {
                if waited {
                    Poll::Ready(())
                } else {
                    waited = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
            .await;
            n
        };
        futures_util::stream::unfold(1u64, move |n| async move {
            let n = fetch(n).await;
            let items: Vec<u64> = if n > pages {
                Vec::new()
            } else {
                (0..per_page).map(|i| n * 100 + i).collect()
            };
            (!items.is_empty()).then(|| (futures_util::stream::iter(items), n + 1))
        })
        .flatten()
        .boxed()
    }

    fn collected(mode: ProgressMode, n: u64) -> (Vec<u64>, Vec<String>) {
        use futures_util::StreamExt as _;
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink_lines = lines.clone();
        let sink: Sink = Box::new(move |line| sink_lines.lock().unwrap().push(line));
        let paged = Paged::with_sink(pages(n, 2), "cards", mode, sink);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let items = runtime.block_on(paged.collect::<Vec<_>>());
        let lines = lines.lock().unwrap().clone();
        (items, lines)
    }

    #[test]
    fn progress_says_each_page_after_the_first_and_passes_every_item() {
        let (items, lines) = collected(ProgressMode::Lines, 3);
        assert_eq!(items, [100, 101, 200, 201, 300, 301]);
        // Pages 2 and 3, and the empty page 4 that ends the walk; page 1 is silent.
        assert_eq!(
            lines,
            [
                "voxkit: listing cards: page 2… (2 so far)",
                "voxkit: listing cards: page 3… (4 so far)",
                "voxkit: listing cards: page 4… (6 so far)",
            ]
        );
        let (items, lines) = collected(ProgressMode::Lines, 1);
        assert_eq!((items.len(), lines.len()), (2, 1), "{lines:?}");
        let (items, lines) = collected(ProgressMode::Off, 3);
        assert_eq!((items.len(), lines.len()), (6, 0));
    }

    #[test]
    fn counted_pages_round_up() {
        let page = PageInfo::counted(2, 10, 21, false);
        assert_eq!((page.last, page.more), (Some(3), Some(true)));
        assert_eq!(
            page.json(),
            json!({"current_page": 2, "last_page": 3, "total": 21, "more": true})
        );
        let empty = PageInfo::counted(1, 10, 0, false);
        assert_eq!((empty.last, empty.more), (Some(1), Some(false)));
    }
}
