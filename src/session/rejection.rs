//! [`Rejection`]: why a command was refused, each with a stable code for the wire. A
//! rejected command changes nothing.

/// Why a command was refused. Each has a stable snake_case code for the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The text is empty after trimming.
    #[error("the text is empty")]
    TextEmpty,
    /// The text is longer than allowed.
    #[error("the text is longer than {max} characters")]
    TextTooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// A prompt's content or settings are out of bounds.
    #[error("invalid prompt: {0}")]
    InvalidPrompt(&'static str),
    /// No prompt has that id.
    #[error("no such prompt")]
    PromptNotFound,
    /// The prompt is closed.
    #[error("this prompt is closed")]
    PromptClosed,
    /// The prompt has not been opened yet.
    #[error("this prompt is not open")]
    PromptNotOpen,
    /// The prompt is already open.
    #[error("this prompt is already open")]
    PromptAlreadyOpen,
    /// The facilitator has made the prompt read-only for now.
    #[error("this prompt is locked for now")]
    PromptLocked,
    /// Only drafts may be deleted, or have their activity changed.
    #[error("only a draft can be changed that way")]
    PromptNotDraft,
    /// Another prompt depends on this one (a dot vote on its items).
    #[error("a dot vote uses this prompt's items")]
    PromptInUse,
    /// There is no draft after the current prompt.
    #[error("there is no next prompt on the agenda")]
    NoNextPrompt,
    /// A draft cannot go on the projector: nobody has been asked it yet, and its content may
    /// still change (open it instead).
    #[error("a prompt that has not been opened cannot be shown on the screen")]
    DraftNotShowable,
    /// The command does not fit this prompt's activity (a vote on a brainstorm).
    #[error("this prompt does not take that kind of answer")]
    WrongActivity,
    /// The brainstorm's columns need a valid column, or it has none.
    #[error("choose one of the prompt's columns")]
    InvalidColumn,
    /// A poll answer is not valid for its options.
    #[error("that is not a valid choice")]
    InvalidChoice,
    /// The poll does not allow changing an answer.
    #[error("you have already answered")]
    AlreadyAnswered,
    /// Word cloud: this participant gave all the answers allowed.
    #[error("you have given all your answers")]
    AnswerLimit,
    /// Dot vote: all dots are spent.
    #[error("you have no dots left")]
    DotBudgetExceeded,
    /// Dot vote: the most dots allowed on one item are there.
    #[error("no more dots fit on this item")]
    ItemDotLimit,
    /// Dot vote: no dot of yours to take back here.
    #[error("you have no dot on this item")]
    NoDotHere,
    /// Dot vote: the item is not on this vote's ballot.
    #[error("that item is not on the ballot")]
    NotOnBallot,
    /// Dot vote: the source prompt has no visible items to vote on.
    #[error("there are no items to vote on")]
    EmptyBallot,
    /// The prompt is per group and the participant has not picked one.
    #[error("pick your group first")]
    GroupRequired,
    /// No group has that id.
    #[error("no such group")]
    GroupNotFound,
    /// A group's name or colour is out of bounds.
    #[error("invalid group: {0}")]
    InvalidGroup(&'static str),
    /// Items belong to this group.
    #[error("items belong to this group")]
    GroupInUse,
    /// Likes need the wall to be on for the prompt.
    #[error("the wall is not on for this prompt")]
    WallOff,
    /// One's own items cannot be liked.
    #[error("you cannot like your own item")]
    OwnItem,
    /// Merging needs distinct, unmerged items of the same prompt.
    #[error("those items cannot be merged")]
    InvalidMerge,
    /// Time to add must be 1–3600 seconds.
    #[error("add between 1 second and 1 hour")]
    InvalidTime,
    /// No item has that id.
    #[error("no such item")]
    ItemNotFound,
    /// The item id is taken by a different item.
    #[error("that item id is already used by another item")]
    ItemIdConflict,
    /// A participant may withdraw only their own item.
    #[error("that item is not yours")]
    NotYours,
    /// Only a session in rehearsal can be reset.
    #[error("the session is not a rehearsal; only a rehearsal can be reset")]
    NotRehearsing,
    /// The session holds as much as it may.
    #[error("the session is full")]
    SessionFull,
    /// The prompt has no theme with that id.
    #[error("no such theme")]
    UnknownTheme,
    /// The theme id is taken, by a theme of another name or of another prompt.
    #[error("that theme id is already used by another theme")]
    ThemeExists,
    /// The prompt has as many themes as it may.
    #[error("a prompt has at most 60 themes")]
    TooManyThemes,
    /// A dot vote's frozen ballot names the theme: it may be renamed, not removed or merged.
    #[error("a dot vote's ballot holds this theme")]
    ThemeOnBallot,
    /// Only brainstorms have themes.
    #[error("only a brainstorm has themes")]
    NotThemable,
    /// One command names too many items.
    #[error("at most {max} items at a time")]
    TooManyItems {
        /// The limit.
        max: usize,
    },
    /// A name on a question where the prompt does not take names.
    #[error("this prompt does not take names")]
    NamesOff,
    /// A name longer than 40 characters (or with control characters).
    #[error("a name is at most 40 characters")]
    InvalidName,
}

impl Rejection {
    /// The stable code sent on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::TextEmpty => "text_empty",
            Rejection::TextTooLong { .. } => "text_too_long",
            Rejection::InvalidPrompt(_) => "invalid_prompt",
            Rejection::PromptNotFound => "prompt_not_found",
            Rejection::PromptClosed => "prompt_closed",
            Rejection::PromptNotOpen => "prompt_not_open",
            Rejection::PromptAlreadyOpen => "prompt_already_open",
            Rejection::PromptLocked => "prompt_locked",
            Rejection::PromptNotDraft => "prompt_not_draft",
            Rejection::PromptInUse => "prompt_in_use",
            Rejection::NoNextPrompt => "no_next_prompt",
            Rejection::DraftNotShowable => "draft_not_showable",
            Rejection::WrongActivity => "wrong_activity",
            Rejection::InvalidColumn => "invalid_column",
            Rejection::InvalidChoice => "invalid_choice",
            Rejection::AlreadyAnswered => "already_answered",
            Rejection::AnswerLimit => "answer_limit",
            Rejection::DotBudgetExceeded => "dot_budget_exceeded",
            Rejection::ItemDotLimit => "item_dot_limit",
            Rejection::NoDotHere => "no_dot_here",
            Rejection::NotOnBallot => "not_on_ballot",
            Rejection::EmptyBallot => "empty_ballot",
            Rejection::GroupRequired => "group_required",
            Rejection::GroupNotFound => "group_not_found",
            Rejection::InvalidGroup(_) => "invalid_group",
            Rejection::GroupInUse => "group_in_use",
            Rejection::WallOff => "wall_off",
            Rejection::OwnItem => "own_item",
            Rejection::InvalidMerge => "invalid_merge",
            Rejection::InvalidTime => "invalid_time",
            Rejection::ItemNotFound => "item_not_found",
            Rejection::ItemIdConflict => "item_id_conflict",
            Rejection::NotYours => "not_yours",
            Rejection::SessionFull => "session_full",
            Rejection::UnknownTheme => "unknown_theme",
            Rejection::ThemeExists => "theme_exists",
            Rejection::TooManyThemes => "too_many_themes",
            Rejection::ThemeOnBallot => "theme_on_ballot",
            Rejection::NotThemable => "not_themable",
            Rejection::TooManyItems { .. } => "too_many_items",
            Rejection::NotRehearsing => "not_rehearsing",
            Rejection::NamesOff => "names_off",
            Rejection::InvalidName => "invalid_name",
        }
    }
}
