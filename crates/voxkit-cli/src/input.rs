//! What commands read besides their arguments: lines of standard input (passwords and
//! redemption codes, which an argument would show in `ps`), and optional arguments set
//! onto the SDK's request builders.

use std::io::{BufRead as _, Read as _};

use crate::failure::CliError;

/// The next line of standard input, at most `max_bytes` of it, with its line ending. A
/// line that cannot be read is invalid input of `flag` (e.g. `--code-stdin`), which was
/// to read the `what` (e.g. `code`) from it.
pub fn stdin_line(flag: &str, what: &str, max_bytes: u64) -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(max_bytes)
        .read_line(&mut line)
        .map_err(|e| {
            CliError::invalid(format!(
                "{flag}: could not read the {what} from standard input: {e}"
            ))
        })?;
    Ok(line)
}

/// `$builder` with `.setter(value)` applied for each `setter = value` whose value (an
/// `Option`) is `Some`: how optional arguments become an SDK query or request.
macro_rules! with_some {
    ($builder:expr, $($setter:ident = $value:expr),+ $(,)?) => {{
        let mut builder = $builder;
        $(
            if let Some(value) = $value {
                builder = builder.$setter(value);
            }
        )+
        builder
    }};
}
pub(crate) use with_some;
