//! What the list calls and the request builders of every group share, written once: the
//! `page`/`per_page`/`sub_user_id`/`status` query pieces, the walk of every page of a list
//! ([`Client::every_page`] over a [`PagedQuery`], [`Client::walk_pages`]), and `setters!`, the documented one-line setters
//! of the builders' optional fields.

use futures_util::future::Future;
use futures_util::stream::BoxStream;
use std::hash::Hash;
use voxkit_core::page::walk;
use voxkit_core::{Error, Operation, OperationSpec, Origin, Page, Paging, check};

use crate::Client;
use crate::ids::SubUserId;

/// Setters of optional fields, one per line of the invocation, each with its own doc
/// (`fn setter(field: Type);`, `fn setter(field: impl Into<T>).into();`): core's
/// [`voxkit_core::optional_setters!`], the one macro every provider crate's builders use,
/// under the name this crate's builders call it by.
pub(crate) use voxkit_core::optional_setters as setters;

/// A list's query that asks for one page: what [`Client::every_page`] needs to walk the list.
/// Implemented with `paged_query!`, which also writes the query's `page` and `per_page`
/// setters.
pub(crate) trait PagedQuery: Clone + Send + Sync + 'static {
    /// The page size the caller asked for, if any.
    fn page_size(&self) -> Option<u32>;
    /// This query for page `number` (from 1) of `size` items.
    fn at_page(&self, number: u32, size: Option<u32>) -> Self;
}

/// The `page` and `per_page` setters of a list's query, each with its own doc, and its
/// [`PagedQuery`]: for a query whose `page` and `per_page` fields are `Option<u32>`.
macro_rules! paged_query {
    ($query:ty; $(#[$page:meta])* page; $(#[$per_page:meta])* per_page;) => {
        impl $query {
            $(#[$page])*
            pub fn page(mut self, page: u32) -> Self {
                self.page = Some(page);
                self
            }

            $(#[$per_page])*
            pub fn per_page(mut self, per_page: u32) -> Self {
                self.per_page = Some(per_page);
                self
            }
        }

        impl $crate::listing::PagedQuery for $query {
            fn page_size(&self) -> Option<u32> {
                self.per_page
            }

            fn at_page(&self, number: u32, size: Option<u32>) -> Self {
                Self {
                    page: Some(number),
                    per_page: size,
                    ..self.clone()
                }
            }
        }
    };
}
pub(crate) use paged_query;

impl Client {
    /// Every item of a list, page after page, with core's loop guards ([`walk`]): `fetch`
    /// reads page `number` (of `size` items, when the list takes a size) with a clone of
    /// this client and of `args` (what the list's path names, the user, the task...), so
    /// that each page's future owns what it reads; `key` tells items apart.
    pub(crate) fn walk_pages<A, T, K, F, Fut>(
        &self,
        origin: Origin,
        paging: Paging,
        key: fn(&T) -> K,
        args: A,
        fetch: F,
    ) -> BoxStream<'static, Result<T, Error>>
    where
        A: Clone + Send + 'static,
        T: Send + 'static,
        K: Eq + Hash + Send + 'static,
        F: Fn(Client, A, u32, Option<u32>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        let client = self.clone();
        walk(origin, paging, key, move |number, size| {
            fetch(client.clone(), args.clone(), number, size)
        })
    }

    /// Every item of the list `spec` answers, page after page (`query`'s page size, else
    /// `default_size`; its own page replaced), as [`Client::walk_pages`]: `fetch` reads one
    /// page of the query it is given.
    pub(crate) fn every_page<A, Q, T, K, F, Fut>(
        &self,
        spec: &'static OperationSpec,
        query: &Q,
        default_size: u32,
        key: fn(&T) -> K,
        args: A,
        fetch: F,
    ) -> BoxStream<'static, Result<T, Error>>
    where
        A: Clone + Send + 'static,
        Q: PagedQuery,
        T: Send + 'static,
        K: Eq + Hash + Send + 'static,
        F: Fn(Client, A, Q) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        let query = query.clone();
        let size = query.page_size().unwrap_or(default_size);
        let paging = Paging::new(Some(size));
        self.walk_pages(
            spec.origin(),
            paging,
            key,
            args,
            move |client, args, number, size| fetch(client, args, query.at_page(number, size)),
        )
    }
}

/// `page` and `per_page` on `op`, each checked positive when given.
pub(crate) fn paging(
    mut op: Operation,
    origin: Origin,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<Operation, Error> {
    for (key, value) in [("page", page), ("per_page", per_page)] {
        if let Some(n) = value {
            check::positive(origin, key, n.into())?;
            op = op.query(key, n.to_string());
        }
    }
    Ok(op)
}

/// `sub_user_id` on `op` when a sub-account is named.
pub(crate) fn with_sub(mut op: Operation, sub: Option<&SubUserId>) -> Operation {
    if let Some(sub) = sub {
        op = op.query("sub_user_id", sub.as_str());
    }
    op
}

/// The `status` filter of the task lists: one code as `status=1`, several as
/// `status[]=1&status[]=3`, none not at all.
pub(crate) fn statuses(mut op: Operation, codes: &[u8]) -> Operation {
    match codes {
        [] => {}
        [one] => op = op.query("status", one.to_string()),
        many => {
            for code in many {
                op = op.query("status[]", code.to_string());
            }
        }
    }
    op
}

/// Whether an error of a read says the thing read is not there: the envelope's code `404`
/// (the code is not documented) or an HTTP 404. Asked only after the same read found it
/// before a delete was sent, so the path and the user are known to be right.
pub(crate) fn is_not_found(error: &Error) -> bool {
    error.api_code().map(str::trim) == Some("404")
        || error.status().is_some_and(|s| s.as_u16() == 404)
}
