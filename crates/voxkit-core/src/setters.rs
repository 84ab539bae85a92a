//! [`optional_setters!`](crate::optional_setters): the documented one-line setters of the
//! providers' request builders, written once. Every provider crate's builders set their
//! optional fields the same way (take the value, store `Some` of it, return the builder),
//! and each crate had its own macro for it. [`value_setters!`](crate::value_setters) is the
//! same for fields stored as they are given (core's client builder, the sandbox's).

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
    ($($setters:tt)*) => {
        $crate::__setters!([Some] $($setters)*);
    };
}

/// Setters of a builder's plain fields, in the grammar of
/// [`optional_setters!`](crate::optional_setters) but storing the value itself
/// (`fn setter(field: Type);` sets `self.field = field`): the configuration builders of
/// core and the sandbox set their fields this way, and each wrote every setter out.
///
/// Not part of the API: the workspace's shared plumbing.
#[doc(hidden)]
#[macro_export]
macro_rules! value_setters {
    ($($setters:tt)*) => {
        $crate::__setters!([] $($setters)*);
    };
}

/// The body of [`optional_setters!`](crate::optional_setters) and
/// [`value_setters!`](crate::value_setters): `[Some]` or `[]` says what wraps the value
/// stored. Not part of the API.
#[doc(hidden)]
#[macro_export]
macro_rules! __setters {
    ([$($wrap:ident)?]) => {};
    (
        [$($wrap:ident)?]
        $(#[$doc:meta])*
        fn $setter:ident($arg:ident: $ty:ty) $(.$into:ident())? => $($place:ident).+;
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub fn $setter(mut self, $arg: $ty) -> Self {
            self.$($place).+ = $($wrap)?($arg$(.$into())?);
            self
        }
        $crate::__setters!([$($wrap)?] $($rest)*);
    };
    (
        [$($wrap:ident)?]
        $(#[$doc:meta])*
        fn $setter:ident($arg:ident: $ty:ty) $(.$into:ident())?;
        $($rest:tt)*
    ) => {
        $crate::__setters!(
            [$($wrap)?] $(#[$doc])* fn $setter($arg: $ty) $(.$into())? => $arg;
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

    #[derive(Debug, Default, PartialEq)]
    struct Plain {
        count: u32,
        name: String,
        f: Inner,
    }

    impl Plain {
        crate::value_setters! {
            /// A count.
            fn count(count: u32);
            /// A name.
            fn name(name: impl Into<String>).into();
            /// A label, kept in `f`.
            fn label(label: Option<String>) => f.label;
        }
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

    /// The plain forms store the value itself, converted where asked.
    #[test]
    fn plain_setters_store_the_value() {
        let p = Plain::default().count(3).name("n").label(Some("l".into()));
        assert_eq!(
            p,
            Plain {
                count: 3,
                name: "n".into(),
                f: Inner {
                    label: Some("l".into())
                },
            }
        );
        assert_eq!(Plain::default().name("m").count, 0);
    }
}
