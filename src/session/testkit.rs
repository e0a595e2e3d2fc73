//! One test kit for the session's unit tests, and for the store's and the export's: a
//! [`TestSession`] fixture with typed helpers (as zero2prod's `TestApp`), plus the plain
//! functions the state-machine tests were written with. Built only for tests.

use uuid::Uuid;

use super::*;

/// The clock at which test sessions start.
pub(crate) const T0: Millis = 1_700_000_000_000;

/// An empty session named `hyvinsivi`, created at [`T0`].
pub(crate) fn session() -> Session {
    session_titled("HYVINSIVI", T0)
}

/// An empty Finnish session named `hyvinsivi`, titled `title`, created at `created_at`.
pub(crate) fn session_titled(title: &str, created_at: Millis) -> Session {
    Session::new(SessionMeta {
        slug: SessionName::parse("hyvinsivi").unwrap(),
        title: title.into(),
        language: Language::Fi,
        created_at,
        key_hash: "00".into(),
        time_zone: Default::default(),
        series: None,
    })
}

/// Applies a command that must be accepted; panics with the rejection otherwise.
pub(crate) fn accept(s: &mut Session, command: &Command, now: Millis) -> Applied {
    s.apply(command, now)
        .unwrap_or_else(|r| panic!("{command:?} refused: {r}"))
}

/// A brainstorm draft titled `title`, with a two-minute time box.
pub(crate) fn draft(title: &str) -> PromptDraft {
    PromptDraft {
        translations: Default::default(),
        activity: Activity::default(),
        title: title.into(),
        instructions: "Kirjatkaa yksi taho kerrallaan ja painakaa Lähetä.".into(),
        time_limit_secs: Some(120),
        auto_close: false,
        per_group: false,
        premoderation: false,
        wall: false,
        show_results: ResultsVisibility::Live,
        reset_column: false,
        template: None,
    }
}

/// Adds a brainstorm draft at [`T0`]; returns its id.
pub(crate) fn add(s: &mut Session, title: &str) -> PromptId {
    let applied = s
        .apply(
            &Command::AddPrompt {
                draft: draft(title),
            },
            T0,
        )
        .unwrap();
    match &applied.events[0].event {
        Event::PromptAdded(p) => p.id.clone(),
        other => panic!("unexpected {other:?}"),
    }
}

/// Opens a prompt at `T0 + 1`.
pub(crate) fn open(s: &mut Session, id: &PromptId) -> Applied {
    s.apply(
        &Command::OpenPrompt {
            prompt_id: id.clone(),
        },
        T0 + 1,
    )
    .unwrap()
}

/// Sends an item (no column) at `T0 + 2`.
pub(crate) fn submit(
    s: &mut Session,
    who: ParticipantId,
    item: ItemId,
    prompt: &PromptId,
    text: &str,
) -> Result<Applied, Rejection> {
    s.apply(
        &Command::Submit {
            participant: who,
            item_id: item,
            prompt_id: prompt.clone(),
            text: text.into(),
            column: None,
            name: None,
        },
        T0 + 2,
    )
}

/// A participant known by number, the same in every run: `person(0)`, `person(1)`, …
pub(crate) fn person(n: u8) -> ParticipantId {
    ParticipantId(Uuid::from_u128(u128::from(n) + 1))
}

/// A fresh participant.
pub(crate) fn pid() -> ParticipantId {
    ParticipantId(Uuid::new_v4())
}

/// A fresh item id.
pub(crate) fn iid() -> ItemId {
    ItemId(Uuid::new_v4())
}

/// Applies a command that must be refused, and checks the session did not change.
pub(crate) fn refused(s: &mut Session, command: Command) -> Rejection {
    refused_at(s, command, T0 + 5)
}

/// Like [`refused`], at `now`.
pub(crate) fn refused_at(s: &mut Session, command: Command, now: Millis) -> Rejection {
    let before = s.clone();
    let rejection = s.apply(&command, now).unwrap_err();
    assert_eq!(*s, before, "a rejected {command:?} changed the session");
    rejection
}

/// Adds a draft of `activity`, edited by `edit`, at [`T0`]; returns its id.
pub(crate) fn add_kind(
    s: &mut Session,
    activity: Activity,
    edit: impl FnOnce(&mut PromptDraft),
) -> PromptId {
    let mut d = PromptDraft {
        activity,
        ..draft("Q")
    };
    edit(&mut d);
    let applied = s.apply(&Command::AddPrompt { draft: d }, T0).unwrap();
    match &applied.events[0].event {
        Event::PromptAdded(p) => p.id.clone(),
        other => panic!("unexpected {other:?}"),
    }
}

/// Sends an item into `column` at `T0 + 3`; returns its id.
pub(crate) fn item_in(
    s: &mut Session,
    who: ParticipantId,
    prompt: &PromptId,
    text: &str,
    column: Option<u8>,
) -> Result<ItemId, Rejection> {
    let id = iid();
    s.apply(
        &Command::Submit {
            participant: who,
            item_id: id,
            prompt_id: prompt.clone(),
            text: text.into(),
            column,
            name: None,
        },
        T0 + 3,
    )
    .map(|_| id)
}

/// A poll of `options` options.
pub(crate) fn poll(options: usize, multiple: bool, may_change: bool) -> Activity {
    Activity::Poll(Poll {
        options: (0..options).map(|i| format!("Vaihtoehto {i}")).collect(),
        multiple,
        may_change,
    })
}

/// A session under test with its own clock: every command runs at the kit's `now`, which
/// only [`TestSession::advance`] moves, so tests read as the workshop they describe.
pub(crate) struct TestSession {
    /// The state machine.
    pub session: Session,
    /// The time commands run at.
    pub now: Millis,
}

impl TestSession {
    /// An empty session named `hyvinsivi`, at [`T0`].
    pub fn new() -> Self {
        Self {
            session: session(),
            now: T0,
        }
    }

    /// Moves the clock on by `ms`.
    pub fn advance(&mut self, ms: Millis) {
        self.now += ms;
    }

    /// Applies a command that must be accepted; panics with the rejection otherwise.
    pub fn apply(&mut self, command: Command) -> Applied {
        accept(&mut self.session, &command, self.now)
    }

    /// Applies a command that must be refused, and checks that nothing changed.
    pub fn refuse(&mut self, command: Command) -> Rejection {
        refused_at(&mut self.session, command, self.now)
    }

    /// Adds a draft of `activity` (through [`Activity::validate`], like the facilitator's).
    pub fn add(&mut self, activity: Activity) -> PromptId {
        add_kind(&mut self.session, activity, |_| {})
    }

    /// Adds a prompt of `activity` and opens it.
    pub fn add_open(&mut self, activity: Activity) -> PromptId {
        let id = self.add(activity);
        self.apply(Command::OpenPrompt {
            prompt_id: id.clone(),
        });
        id
    }

    /// Sends an item (no column) as `who`; returns its id.
    pub fn submit(&mut self, who: ParticipantId, prompt: &PromptId, text: &str) -> ItemId {
        let id = iid();
        self.apply(Command::Submit {
            participant: who,
            item_id: id,
            prompt_id: prompt.clone(),
            text: text.into(),
            column: None,
            name: None,
        });
        id
    }

    /// Answers a poll as `who`.
    pub fn vote(&mut self, who: ParticipantId, prompt: &PromptId, options: &[u8]) {
        self.apply(Command::Vote {
            participant: who,
            prompt_id: prompt.clone(),
            options: options.to_vec(),
        });
    }

    /// Puts one dot on `item` as `who`.
    pub fn place_dot(&mut self, who: ParticipantId, prompt: &PromptId, item: ItemId) {
        self.apply(Command::PlaceDot {
            participant: who,
            prompt_id: prompt.clone(),
            item_id: item,
        });
    }
}

/// A dot vote on `source`'s items: `dots` each, at most `max_per_item` on one.
pub(crate) fn dot_vote(source: &PromptId, dots: u32, max_per_item: u32) -> Activity {
    Activity::DotVote(DotVote {
        source: source.clone(),
        dots,
        max_per_item,
        vote_on: VoteOn::Items,
    })
}

/// A scale of `statements` statements rated 1–`max`, without end labels.
pub(crate) fn scale(statements: usize, max: u8) -> Activity {
    Activity::Scale(Scale {
        statements: (0..statements).map(|i| format!("Väite {i}")).collect(),
        max,
        min_label: String::new(),
        max_label: String::new(),
    })
}

/// A session as its snapshot stores it (`snapshot.json`'s `session`): the session's own
/// serde shape is gone, so tests of what survives a reload go through the store's format.
pub(crate) fn to_stored(s: &Session) -> serde_json::Value {
    serde_json::to_value(crate::store::SnapshotV1::from(s)).unwrap()
}

/// A session read back from its stored shape (see [`to_stored`]), reindexed.
pub(crate) fn from_stored(value: serde_json::Value) -> Session {
    let snapshot: crate::store::SnapshotV1 = serde_json::from_value(value).unwrap();
    Session::try_from(snapshot).unwrap()
}
