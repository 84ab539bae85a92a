//! [`optional_setters!`](crate::optional_setters): the documented one-line setters of the
//! providers' request builders, written once. Every provider crate's builders set their
//! optional fields the same way (take the value, store `Some` of it, return the builder),
//! and each crate had its own macro for it.

/// Setters of a builder's optional fields, one per line, each keeping its own doc:
///
/// - `fn setter(field: Type);` sets `self.field = Some(field)`;
/// - `fn setter(arg: impl Into<T>).into();` converts first;
/// - `=> path.to.field` before the `;` stores it elsewhere than the field named like the
///   argument (`fn send_at(time: NaiveDateTime) => f.send_time;` sets
///   `self.f.send_time`).
///
/// Each setter consumes and returns the builder. Invoke it inside an `impl` block.
/// Not part of the API: the provider crates' shared plumbing.
#[doc(hidden)]
#[macro_export]
macro_rules! optional_setters {
    () => {};
    (
        $(#[$doc:meta])*
        fn $setter:ident($arg:ident: $ty:ty) $(.$into:ident())? => $($place:ident).+;
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub fn $setter(mut self, $arg: $ty) -> Self {
            self.$($place).+ = ::std::option::Option::Some($arg$(.$into())?);
            self
        }
        $crate::optional_setters!($($rest)*);
    };
    (
        $(#[$doc:meta])*
        fn $setter:ident($arg:ident: $ty:ty) $(.$into:ident())?;
        $($rest:tt)*
    ) => {
        $crate::optional_setters!(
            $(#[$doc])* fn $setter($arg: $ty) $(.$into())? => $arg;
            $($rest)*
        );
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, Default, PartialEq)]
    struct Inner {
        label: Option<String>,
    }

    #[derive(Debug, Default, PartialEq)]
    struct Builder {
        count: Option<u32>,
        name: Option<String>,
        f: Inner,
    }

    impl Builder {
        crate::optional_setters! {
            /// A count.
            fn count(count: u32);
            /// A name.
            fn name(name: impl Into<String>).into();
            /// A label, kept in `f`.
            fn label(text: &str).to_owned() => f.label;
        }
    }

    /// Each form sets its own field to `Some`, converted where asked, and leaves the
    /// others alone.
    #[test]
    fn each_form_sets_its_field() {
        assert_eq!(
            Builder::default().count(3),
            Builder {
                count: Some(3),
                ..Builder::default()
            }
        );
        let b = Builder::default().name("n").label("l");
        assert_eq!(b.name.as_deref(), Some("n"));
        assert_eq!(b.f.label.as_deref(), Some("l"));
        assert_eq!(b.count, None);
    }
}
