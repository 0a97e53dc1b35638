//! Config keys as data: each key's name, type, default and doc line, declared once by
//! `declare_options!` beside the field that holds it. The front ends build their config-file
//! reader, their flags and their help from this table (docs/config.md lists it).

use std::borrow::Cow;

/// The type of a key's value, as a config file or a flag writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A non-negative integer.
    Integer,
    /// `true` or `false`; as a flag, a switch that sets it to `true`.
    Bool,
    /// Any text.
    Text,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A number from 0 to 1.
    Ratio,
}

impl ValueKind {
    /// What a value of this kind looks like, for error messages.
    pub fn expected(self) -> String {
        match self {
            ValueKind::Integer => "a non-negative integer".into(),
            ValueKind::Bool => "true or false".into(),
            ValueKind::Text => "text".into(),
            ValueKind::Choice(words) => format!("one of {}", words.join(", ")),
            ValueKind::Ratio => "a number from 0 to 1".into(),
        }
    }
}

/// One config key: its name, type, default and doc line.
#[derive(Debug)]
pub struct Setting {
    pub(crate) key: &'static str,
    pub(crate) flag: Option<&'static str>,
    pub(crate) doc: &'static str,
    pub(crate) kind: ValueKind,
    pub(crate) shown_default: Option<&'static str>,
    pub(crate) default: fn() -> String,
    pub(crate) check: fn(&str) -> bool,
    /// The least value of an integer key (0: any).
    pub(crate) min: u64,
}

impl Setting {
    /// The config key, e.g. `import.max_file_size`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The flag without its dashes: the key with dots and underscores turned into dashes
    /// (`import-max-file-size`), unless the key has a name of its own (`storage`).
    pub fn flag(&self) -> Cow<'static, str> {
        match self.flag {
            Some(flag) => Cow::Borrowed(flag),
            None => Cow::Owned(self.key.replace(['.', '_'], "-")),
        }
    }

    /// The one-line description.
    pub fn doc(&self) -> &'static str {
        self.doc.trim()
    }

    /// The type of the value.
    pub fn kind(&self) -> ValueKind {
        self.kind
    }

    /// The default as the docs show it: the default value's text, or a description where it
    /// depends on the machine (`the number of cores`) or is unset.
    pub fn default_text(&self) -> Cow<'static, str> {
        match self.shown_default {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned((self.default)()),
        }
    }

    /// Checks `text` as a value of this key without setting it.
    pub fn check(&self, text: &str) -> Result<(), SettingError> {
        let least = self.min == 0 || text.parse::<u64>().is_ok_and(|n| n >= self.min);
        if (self.check)(text) && least {
            Ok(())
        } else if self.min > 0 {
            Err(SettingError::InvalidValue {
                key: self.key,
                value: text.to_string(),
                expected: format!("an integer of at least {}", self.min),
            })
        } else {
            Err(SettingError::invalid(self.key, self.kind, text))
        }
    }
}

/// A key or a value that no option takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// No option has this key.
    #[error("unknown config key `{0}`")]
    UnknownKey(String),
    /// The value is not of the key's type.
    #[error("config key `{key}`: invalid value \"{value}\" (expected {expected})")]
    InvalidValue {
        /// The key.
        key: &'static str,
        /// The text given.
        value: String,
        /// What a value looks like.
        expected: String,
    },
}

impl SettingError {
    pub(crate) fn invalid(key: &'static str, kind: ValueKind, text: &str) -> Self {
        SettingError::InvalidValue {
            key,
            value: text.to_string(),
            expected: kind.expected(),
        }
    }
}

/// A type an option can have: how its text is read and written.
pub(crate) trait SettingValue: Sized {
    /// How the value is written.
    const KIND: ValueKind;
    /// Reads the value; `None` when `text` is not one.
    fn parse(text: &str) -> Option<Self>;
    /// Writes the value as a config file would.
    fn show(&self) -> String;
}

impl SettingValue for u64 {
    const KIND: ValueKind = ValueKind::Integer;
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for usize {
    const KIND: ValueKind = ValueKind::Integer;
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

/// A ratio: a finite number from 0 to 1.
impl SettingValue for f64 {
    const KIND: ValueKind = ValueKind::Ratio;
    fn parse(text: &str) -> Option<Self> {
        text.parse::<f64>().ok().filter(|r| (0.0..=1.0).contains(r))
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for bool {
    const KIND: ValueKind = ValueKind::Bool;
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

/// Unset by default; any text sets it.
impl SettingValue for Option<String> {
    const KIND: ValueKind = ValueKind::Text;
    fn parse(text: &str) -> Option<Self> {
        Some(Some(text.to_string()))
    }
    fn show(&self) -> String {
        self.clone().unwrap_or_default()
    }
}

/// Declares an options struct whose fields are config keys, once each:
///
/// ```text
/// declare_options! {
///     /// Struct doc.
///     #[derive(Debug, Clone)]
///     pub struct Name {
///         /// A field that is no config key.
///         pub plain: Type = default_expr,
///         keys:
///         /// One doc line.
///         "section.key" => field: Type = default_expr;
///         /// One doc line.
///         "section.other", flag "own-flag" => other: Type = default_expr, shown "default as docs say";
///         /// An integer key with a least value.
///         "section.least" => least: u64 = 900, min 1;
///     }
/// }
/// ```
///
/// It writes the struct, its `Default`, `Name::KEYS` (the [`Setting`] of each key, in order)
/// and `set_key` / `get_key`, which read and write a field by its key as text.
macro_rules! declare_options {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$pmeta:meta])* pub $pfield:ident: $pty:ty = $pdefault:expr, )*
            keys:
            $(
                #[doc = $doc:literal]
                $key:literal $(, flag $flag:literal)? => $field:ident: $ty:ty = $default:expr
                    $(, shown $shown:literal)? $(, min $min:literal)?;
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$pmeta])* pub $pfield: $pty, )*
            $(
                #[doc = $doc]
                #[doc = ""]
                #[doc = concat!("Config key `", $key, "`.")]
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $( $pfield: $pdefault, )*
                    $( $field: $default, )*
                }
            }
        }

        impl $name {
            /// The config keys these options hold, in the order declared.
            pub const KEYS: &'static [$crate::engine::Setting] = &[$(
                $crate::engine::Setting {
                    key: $key,
                    flag: declare_options!(@some $($flag)?),
                    doc: $doc,
                    kind: <$ty as $crate::engine::setting::SettingValue>::KIND,
                    shown_default: declare_options!(@some $($shown)?),
                    default: || {
                        let value: $ty = $default;
                        $crate::engine::setting::SettingValue::show(&value)
                    },
                    check: |text| {
                        <$ty as $crate::engine::setting::SettingValue>::parse(text).is_some()
                    },
                    min: declare_options!(@min $($min)?),
                },
            )*];

            /// Sets the field of config key `key` from `text`; `None` when no field here has
            /// that key.
            pub fn set_key(
                &mut self,
                key: &str,
                text: &str,
            ) -> Option<Result<(), $crate::engine::SettingError>> {
                use $crate::engine::setting::SettingValue;
                let setting = Self::KEYS.iter().find(|s| s.key == key)?;
                if let Err(e) = setting.check(text) {
                    return Some(Err(e));
                }
                match key {
                    $( $key => Some(match <$ty>::parse(text) {
                        Some(value) => {
                            self.$field = value;
                            Ok(())
                        }
                        None => Err($crate::engine::SettingError::invalid($key, <$ty>::KIND, text)),
                    }), )*
                    _ => None,
                }
            }

            /// The value of config key `key` as text; `None` when no field here has that key.
            pub fn get_key(&self, key: &str) -> Option<String> {
                use $crate::engine::setting::SettingValue;
                match key {
                    $( $key => Some(self.$field.show()), )*
                    _ => None,
                }
            }
        }
    };
    (@min) => { 0 };
    (@min $min:literal) => { $min };
    (@some) => { None };
    (@some $text:literal) => { Some($text) };
}

pub(crate) use declare_options;
