//! Ready-made [`ExactlyOnce`](crate::ExactlyOnce) implementations of the providers'
//! money-moving operations, each behind its provider's feature (`longlonglong`, `espai`), so
//! that a one-provider user compiles only the provider crate they use.

#[cfg(feature = "espai")]
pub mod espai;
#[cfg(feature = "longlonglong")]
pub mod longlonglong;
