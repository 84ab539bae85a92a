//! The providers' own request examples, replayed against the seeded sandbox with only the
//! host and the credentials replaced (issue 18): a user who copies a snippet from the
//! docs gets the documented answer.
//!
//! The examples are read at test time from the original pages in
//! `../shared/provider-docs/seeds/` (beside the repository, found from
//! `CARGO_MANIFEST_DIR`), not from a copy: a checked-in extract could drift from the pages
//! and would only prove the sandbox agrees with the extract. Without the pages the test
//! fails, saying where it looked. From each page it takes every request example that
//! names a method, a URL and a body: the cURL, Python, JavaScript/Node, Java and PHP tabs,
//! the structured blocks (Laaffic's "Request URL / Method / Headers", ESP-AI's "请求URL /
//! 请求方式 / 参数示例"); the Go and C++ tabs of the longlonglong pages are left out (the
//! brief's languages; they send the same body, as the cURL cross-check below shows for
//! the others). Each is sent, with reqwest, to a freshly seeded sandbox (so that, e.g.,
//! the sub-account example's unique email is free for every language), and its answer is
//! compared with the page's own answer example: the same envelope (its success fields
//! equal, the same keys, the same shape of `data`).
//!
//! What is replaced, as a user would: the scheme and host (`https://ai.api.longlonglong.cn`
//! → the sandbox), the credential header's value (`Bearer YOUR_TOKEN`, the ESP-AI
//! `open_api_key`, Laaffic's `Api-Key`), and Laaffic's `Timestamp` and `Sign` (now, and
//! `md5(key + secret + timestamp)`). Nothing else: method, path, `Content-Type` and body
//! are the snippet's.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};
use serde_json::Value;
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_TOKEN, Sandbox,
};

// ----- the pages ------------------------------------------------------------------------

/// `../shared/provider-docs/seeds` beside the repository; panics with where it looked.
fn seeds_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/voxkit-sandbox → the repository → beside it.
    let dir = manifest.join("../../../shared/provider-docs/seeds");
    assert!(
        dir.is_dir(),
        "the providers' documentation pages are missing: expected them in {} \
         (`../shared/provider-docs/seeds/` beside the repository, as CI has them); this \
         test replays their examples and cannot run without them",
        dir.display()
    );
    dir
}

/// One page: its file name and text.
struct Page {
    file: String,
    text: String,
}

/// The page whose text contains `marker`; panics naming it when there is none.
fn page<'a>(pages: &'a [Page], marker: &str) -> &'a Page {
    pages
        .iter()
        .find(|p| p.text.contains(marker))
        .unwrap_or_else(|| panic!("no documentation page contains {marker:?}"))
}

fn pages() -> Vec<Page> {
    let mut pages: Vec<Page> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| Page {
            file: p.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect();
    pages.sort_by(|a, b| a.file.cmp(&b.file));
    assert!(
        !pages.is_empty(),
        "no .txt page in {}",
        seeds_dir().display()
    );
    pages
}

// ----- reading snippets -------------------------------------------------------------------

/// A request as a snippet states it.
#[derive(Debug, Clone)]
struct Snippet {
    /// Page and tab, for messages.
    origin: String,
    method: String,
    /// As written in the docs (`https://host/path`).
    url: String,
    content_type: Option<String>,
    body: Option<Value>,
}

/// The index just past the closing bracket matching the one at `start` (`{` or `[`),
/// skipping brackets inside string literals.
fn balanced_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    panic!(
        "unbalanced literal from {:?}",
        &text[start..text.len().min(start + 80)]
    );
}

/// A data literal of Python, JavaScript or PHP (`=>`, arrays as maps with `php`) as JSON:
/// single quotes, unquoted keys, trailing commas, `True`/`None` turned into JSON.
fn literal_to_json(literal: &str, php: bool) -> Value {
    let chars: Vec<char> = literal.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            // A string literal, re-emitted as a JSON string.
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            out.push_str(&Value::String(s).to_string());
            i += 1;
            continue;
        }
        if c == '=' && chars.get(i + 1) == Some(&'>') {
            out.push(':');
            i += 2;
            continue;
        }
        if php && c == '[' {
            out.push('{');
            i += 1;
            continue;
        }
        if php && c == ']' {
            out.push('}');
            i += 1;
            continue;
        }
        if c == ',' {
            // A trailing comma is dropped.
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) || (php && next == Some(&']')) {
                i += 1;
                continue;
            }
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            match word.as_str() {
                _ if next == Some(&':') => out.push_str(&Value::String(word).to_string()),
                "True" | "true" => out.push_str("true"),
                "False" | "false" => out.push_str("false"),
                "None" | "null" => out.push_str("null"),
                other => panic!("an identifier {other:?} in a data literal: {literal}"),
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A Java (or C) string literal's content starting at the quote at `start`, unescaped.
fn string_literal(text: &str, start: usize) -> String {
    let mut s = String::new();
    let mut chars = text[start + 1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => s.push(chars.next().unwrap()),
            '"' => return s,
            c => s.push(c),
        }
    }
    panic!("unterminated string literal");
}

/// The first string value assigned to `name` in the snippet (`name = "v"`, `$name = "v"`,
/// `const name = "v"`, `String name = "v"`).
fn variable(snippet: &str, name: &str) -> Option<String> {
    let at = snippet.find(&format!("{name} = \""))? + name.len() + 3;
    Some(string_literal(snippet, at))
}

/// The snippet's body: a cURL `-d '…'`, a string holding the JSON (Java), an inline
/// `JSON.stringify({…})`, or the data literal assigned to `data`/`$data`.
fn body_of(snippet: &str) -> Option<Value> {
    if let Some(at) = snippet.find("-d '") {
        let start = at + 4;
        let end = start + snippet[start..].find('\'').unwrap();
        return Some(serde_json::from_str(&snippet[start..end]).unwrap());
    }
    for name in ["jsonInputString", "String body"] {
        if let Some(at) = snippet.find(&format!("{name} = \"")) {
            let text = string_literal(snippet, at + name.len() + 3);
            return Some(serde_json::from_str(&text).unwrap());
        }
    }
    if let Some(at) = snippet.find("JSON.stringify({") {
        let start = at + "JSON.stringify(".len();
        return Some(literal_to_json(
            &snippet[start..balanced_end(snippet, start)],
            false,
        ));
    }
    for (pattern, php) in [
        ("$data = [", true),
        ("data = {", false),
        ("data = [", false),
    ] {
        if let Some(at) = snippet.find(pattern) {
            let start = at + pattern.len() - 1;
            let literal = &snippet[start..balanced_end(snippet, start)];
            return Some(literal_to_json(literal, php));
        }
    }
    None
}

/// The snippet's method, by the idiom of its language; GET when none is named (PHP's
/// curl and a bare `requests.get` alike).
fn method_of(snippet: &str) -> String {
    let after = |pattern: &str| {
        snippet
            .find(pattern)
            .map(|at| {
                snippet[at + pattern.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect::<String>()
                    .to_ascii_uppercase()
            })
            .filter(|m| ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&m.as_str()))
    };
    after("curl -X ")
        .or_else(|| after("setRequestMethod(\""))
        .or_else(|| after("CURLOPT_CUSTOMREQUEST => \""))
        .or_else(|| after("method: \""))
        .or_else(|| after("requests."))
        .or_else(|| after("axios."))
        .or_else(|| after("HttpRequest."))
        .or_else(|| snippet.contains(".PUT(").then(|| "PUT".into()))
        .or_else(|| snippet.contains(".POST(").then(|| "POST".into()))
        .or_else(|| {
            snippet
                .contains("CURLOPT_POST => true")
                .then(|| "POST".into())
        })
        .unwrap_or_else(|| "GET".into())
}

/// The snippet's URL: its first `https://` literal, with a path appended the way the
/// snippet does (`.concat("/x")`, `"%s/x" % base`) and template variables (`${userId}`,
/// f-string `{user_id}`) filled from the snippet's own assignments.
fn url_of(snippet: &str) -> String {
    let at = snippet.find("https://").expect("a URL");
    let mut url: String = snippet[at..]
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | '`' | ' ' | '\n'))
        .collect();
    if let Some(c) = snippet.find(".concat(\"/") {
        url.push_str(&string_literal(snippet, c + ".concat(".len()));
    } else if let Some(c) = snippet.find("\"%s/") {
        url.push_str(&string_literal(snippet, c)[2..]);
    }
    while let Some(open) = url.find('{') {
        let close = url[open..].find('}').unwrap() + open;
        let name = url[open + 1..close].to_owned();
        let value = variable(snippet, &name)
            .unwrap_or_else(|| panic!("no value for {{{name}}} in the snippet"));
        let start = if url[..open].ends_with('$') {
            open - 1
        } else {
            open
        };
        url.replace_range(start..=close, &value);
    }
    url
}

/// The `Content-Type` the snippet sends, in any of its languages' forms.
fn content_type_of(snippet: &str) -> Option<String> {
    let lower = snippet.to_ascii_lowercase();
    let at = lower
        .find("content-type")
        .or_else(|| lower.find("content_type"))?;
    let rest = &snippet[at + "content-type".len()..];
    let value: String = rest
        .trim_start_matches(['"', '\'', ':', ',', ' ', '='])
        .trim_start_matches('>')
        .trim_start_matches([' ', '"', '\''])
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | '\n'))
        .collect();
    Some(value.trim().to_owned())
}

fn snippet(origin: String, text: &str) -> Snippet {
    Snippet {
        origin,
        method: method_of(text),
        url: url_of(text),
        content_type: content_type_of(text),
        body: body_of(text),
    }
}

/// The language tabs of a longlonglong page (`cURL`, `Go`, `JavaScript`, … each name at
/// the end of a line, often glued to the previous tab's last character), as
/// (tab, text up to the next tab).
fn longlonglong_tabs(page: &Page) -> Vec<(&'static str, &str)> {
    const TABS: [&str; 8] = [
        "cURL",
        "Go",
        "JavaScript",
        "Java",
        "PHP",
        "Python",
        "C++",
        "json",
    ];
    let text = page.text.as_str();
    let mut marks: Vec<(usize, usize, &'static str)> = Vec::new();
    for tab in TABS {
        let needle = format!("{tab}\n");
        for (at, _) in text.match_indices(&needle) {
            let before = text[..at].chars().next_back();
            // Not a word's end, nor a word after a space (Python's `import json`).
            if before.is_none_or(|c| !c.is_ascii_alphanumeric() && c != ' ') {
                marks.push((at, at + needle.len(), tab));
            }
        }
    }
    marks.sort();
    let mut tabs = Vec::new();
    for (i, &(_, start, tab)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(text.len(), |m| m.0);
        tabs.push((tab, &text[start..end]));
    }
    tabs
}

/// The request snippets of a longlonglong page: cURL, JavaScript, Java, PHP, Python,
/// each checked to send the cURL's body.
fn longlonglong_snippets(page: &Page) -> Vec<Snippet> {
    let tabs = longlonglong_tabs(page);
    let mut snippets: Vec<Snippet> = tabs
        .iter()
        .filter(|(tab, _)| ["cURL", "JavaScript", "Java", "PHP", "Python"].contains(tab))
        .map(|(tab, text)| snippet(format!("{} {tab}", page.file), text))
        .collect();
    assert_eq!(snippets.len(), 5, "{}: five tabs", page.file);
    let curl = snippets[0].clone();
    for s in &mut snippets {
        assert_eq!(
            (&s.method, &s.url, &s.body),
            (&curl.method, &curl.url, &curl.body),
            "{}: every tab sends the cURL's request",
            s.origin
        );
    }
    snippets
}

/// The JSON example right after `label` on a page.
fn example_after(text: &str, label: &str) -> Value {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} on the page"));
    let start = at + text[at..].find(['{', '[']).unwrap();
    literal_to_json(&text[start..balanced_end(text, start)], false)
}

// ----- sending ------------------------------------------------------------------------------

fn http() -> voxkit_core::reqwest::Client {
    voxkit_core::transport::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
}

/// Sends `snippet` to a freshly seeded sandbox with the host and the credentials
/// replaced; returns (HTTP status, JSON answer).
async fn replay(snippet: &Snippet) -> (u16, Value) {
    let sandbox = Sandbox::start().await.unwrap();
    let rest = snippet
        .url
        .strip_prefix("https://")
        .and_then(|u| u.find('/').map(|i| &u[i..]))
        .expect("an https URL with a path");
    let url = format!("{}{rest}", sandbox.url());
    let mut request = http().request(snippet.method.parse().unwrap(), url);
    if let Some(content_type) = &snippet.content_type {
        request = request.header("Content-Type", content_type.as_str());
    }
    request = if rest.starts_with("/agent-api") || rest.starts_with("/users") {
        request.header("Authorization", format!("Bearer {LONGLONGLONG_TOKEN}"))
    } else if rest.starts_with("/v3") {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let sign = Md5::digest(format!("{LAAFFIC_API_KEY}{LAAFFIC_API_SECRET}{timestamp}"));
        let sign: String = sign.iter().map(|b| format!("{b:02x}")).collect();
        request
            .header("Api-Key", LAAFFIC_API_KEY)
            .header("Timestamp", timestamp)
            .header("Sign", sign)
    } else {
        request.header("authorization", ESPAI_OPEN_API_KEY)
    };
    if let Some(body) = &snippet.body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let answer = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{}: the answer is not JSON ({e}): {}",
            snippet.origin,
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, answer)
}

/// [`replay`], whose answer must be HTTP 200 (every provider answers its business outcomes,
/// refusals too, with 200); the JSON answer.
async fn replay_ok(snippet: &Snippet) -> Value {
    let (status, answer) = replay(snippet).await;
    assert_eq!(status, 200, "{}: {answer}", snippet.origin);
    answer
}

/// The keys of an object, sorted.
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    keys
}

/// `answer` has the documented envelope: the same keys, the same values for the
/// `fields` that say success (or refusal), and `data` of the same shape (an object with
/// the same keys, or an array).
fn assert_envelope(origin: &str, answer: &Value, documented: &Value, fields: &[&str]) {
    assert_eq!(keys(answer), keys(documented), "{origin}: {answer}");
    for field in fields {
        assert_eq!(
            answer[field], documented[field],
            "{origin}: `{field}` as documented: {answer}"
        );
    }
    match &documented["data"] {
        Value::Object(_) => assert_eq!(
            keys(&answer["data"]),
            keys(&documented["data"]),
            "{origin}: data: {answer}"
        ),
        Value::Array(_) => assert!(answer["data"].is_array(), "{origin}: {answer}"),
        _ => {}
    }
}

/// Replays every request snippet of the longlonglong page at `marker` ([`replay_ok`]),
/// each answered with the envelope of the page's example after `label` (see
/// [`assert_envelope`]); the answers and the example, for a page's own checks.
async fn longlonglong_snippets_answer_as(
    marker: &str,
    label: &str,
    fields: &[&str],
) -> (Vec<Value>, Value) {
    let pages = pages();
    let page = page(&pages, marker);
    let documented = example_after(&page.text, label);
    let mut answers = Vec::new();
    for snippet in longlonglong_snippets(page) {
        let answer = replay_ok(&snippet).await;
        assert_envelope(&snippet.origin, &answer, &documented, fields);
        answers.push(answer);
    }
    (answers, documented)
}

// ----- the pages' tests ---------------------------------------------------------------------

/// 外呼充值: every tab recharges the docs' user and gets the documented success envelope.
#[tokio::test]
async fn longlonglong_recharge_snippets_run_as_documented() {
    let recharge = "/agent-api/user/{user_id}/recharge";
    longlonglong_snippets_answer_as(recharge, "返回成功示例", &["code", "status"]).await;
}

/// 设置用户过期时间: the snippets cannot run unchanged — their `2024-08-17` is in the past,
/// which the page itself says is refused (过期时间设置为当天/未设置过期时间 → 422
/// 到期时间最少设置一天). So each gets exactly the documented refusal; the same request
/// with a date a year ahead (the one change a user would make) gets the success example.
#[tokio::test]
async fn longlonglong_expiry_snippets_get_the_documented_refusal_for_a_past_date() {
    let pages = pages();
    let page = page(&pages, "/agent-api/user/{user_id}/expire_time");
    let refusal = example_after(&page.text, "响应示例");
    let success = example_after(&page.text, "返回成功示例");
    assert_eq!(
        refusal["message"], "到期时间最少设置一天",
        "the page's refusal"
    );
    for snippet in longlonglong_snippets(page) {
        assert_eq!(snippet.body.as_ref().unwrap()["expire_time"], "2024-08-17");
        let answer = replay_ok(&snippet).await;
        assert_eq!(
            answer, refusal,
            "{}: the documented refusal",
            snippet.origin
        );
        let mut ahead = snippet.clone();
        let today = chrono::DateTime::<chrono::Utc>::from(SystemTime::now()).date_naive();
        let next_year = today + chrono::Days::new(365);
        ahead.body = Some(serde_json::json!({"expire_time": next_year.to_string()}));
        let (_, answer) = replay(&ahead).await;
        assert_envelope(
            &snippet.origin,
            &answer,
            &success,
            &["code", "status", "message"],
        );
    }
}

/// 子账户注册: every tab creates the example's sub-account and gets the documented answer,
/// the example's name, email and phone echoed.
#[tokio::test]
async fn longlonglong_sub_account_snippets_run_as_documented() {
    let subset_users = "/agent-api/user/{user_id}/subset_users";
    let fields = ["code", "status", "message"];
    let (answers, documented) =
        longlonglong_snippets_answer_as(subset_users, "返回示例", &fields).await;
    for answer in answers {
        for field in ["name", "email", "phone"] {
            assert_eq!(answer["data"][field], documented["data"][field], "{answer}");
        }
    }
}

/// Laaffic getBalance: the structured block (Request URL / Method / Headers) and the
/// Java, PHP, Curl and Python tabs, each signed now as a user would (the block's own
/// `Timestamp: 1630468800` is years outside the ±300 s window), get exactly the response
/// example (the sandbox is seeded with its values).
#[tokio::test]
async fn laaffic_balance_snippets_get_the_documented_answer() {
    let pages = pages();
    let page = page(&pages, "/v3/getBalance");
    let text = page.text.as_str();
    let documented = example_after(text, "RESPONSEEXAMPLE");
    // The structured block.
    let block = |label: &str| {
        let at = text.find(label).unwrap() + label.len();
        text[at..]
            .trim_start()
            .lines()
            .next()
            .unwrap()
            .trim()
            .to_owned()
    };
    let headers_at = text.find("Request Headers:").unwrap();
    let mut snippets = vec![Snippet {
        origin: format!("{} Request URL/Method/Headers", page.file),
        method: block("Request Method:"),
        url: block("Request URL:"),
        content_type: content_type_of(&text[headers_at..]),
        body: None,
    }];
    // The tabs: named once ("Java\nPHP\nCurl\nPython\n"), then one REQUEST each, in order.
    let tabs = ["Java", "PHP", "Curl", "Python"];
    let starts: Vec<usize> = text.match_indices("REQUEST\n").map(|(i, _)| i).collect();
    assert_eq!(
        starts.len(),
        tabs.len(),
        "{}: one REQUEST per tab",
        page.file
    );
    for (i, tab) in tabs.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let code = &text[starts[i]..end];
        snippets.push(snippet(format!("{} {tab}", page.file), code));
    }
    for snippet in &snippets {
        assert_eq!(
            (snippet.method.as_str(), snippet.url.as_str()),
            ("GET", "https://api.laaffic.com/v3/getBalance"),
            "{}",
            snippet.origin
        );
        assert_eq!(
            snippet
                .content_type
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("application/json;charset=utf-8"),
            "{}",
            snippet.origin
        );
        let answer = replay_ok(snippet).await;
        assert_eq!(
            answer, documented,
            "{}: the response example",
            snippet.origin
        );
    }
}

/// ESP-AI 额度卡管理接口: for each of list, detail, transfer and destroy, the Nodejs tab
/// and the structured request (请求URL, 请求方式, 参数示例), which send the same body, get
/// the documented success envelope (detail: the documented card).
#[tokio::test]
async fn espai_card_snippets_run_as_documented() {
    let pages = pages();
    let page = page(&pages, "https://api.espai.fun/cdkey/list");
    let text = page.text.as_str();
    let sections: Vec<usize> = text.match_indices("请求URL:").map(|(i, _)| i).collect();
    assert_eq!(
        sections.len(),
        4,
        "{}: list, detail, transfer, destroy",
        page.file
    );
    for (i, &start) in sections.iter().enumerate() {
        let section = &text[start..sections.get(i + 1).copied().unwrap_or(text.len())];
        let url = url_of(section);
        let origin = format!("{} {}", page.file, url.rsplit('/').next().unwrap());
        let method = section["请求URL:".len()..]
            .split("请求方式:")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        let structured = Snippet {
            origin: format!("{origin} 参数示例"),
            method,
            url: url.clone(),
            // The page's headers (every Node example's).
            content_type: Some("application/json".into()),
            body: Some(example_after(section, "参数示例")),
        };
        let node_at = section.find("Nodejs\n").expect("a Nodejs tab");
        let node = snippet(format!("{origin} Nodejs"), &section[node_at..]);
        assert_eq!(
            (&node.method, &node.url, &node.body),
            (&structured.method, &structured.url, &structured.body),
            "{origin}: the Nodejs tab sends the 参数示例"
        );
        let documented = example_after(section, "返回示例");
        for snippet in [structured, node] {
            let answer = replay_ok(&snippet).await;
            assert_eq!(answer["success"], true, "{}: {answer}", snippet.origin);
            assert_envelope(
                &snippet.origin,
                &answer,
                &documented,
                &["success", "message"],
            );
            if url.ends_with("/detail") {
                for field in ["id", "code", "user_id", "user_name"] {
                    assert_eq!(answer["data"][field], documented["data"][field], "{answer}");
                }
            }
        }
    }
}
