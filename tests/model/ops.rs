//! The generator: abstract operations by a facilitator and four participants, with indexes
//! instead of ids, resolved against the session as it is when each runs ([`World::command`]).
//! Resolving late keeps most generated commands meaningful (an index always lands on some
//! prompt or item once there is one) while still producing every kind of rejection (wrong
//! kind, closed prompt, unknown id, resend under another prompt, bad text).

use paja::session::*;
use proptest::prelude::*;
use uuid::Uuid;

/// Participants in every case: enough for likes, dots and merges across people.
pub const PEOPLE: u8 = 4;

/// One step of a case. Indexes are taken modulo what exists when it runs; `255` names
/// something that never exists.
#[derive(Debug, Clone)]
pub enum Op {
    /// The facilitator adds a prompt of kind `kind % 6`, varied by `flag`.
    AddPrompt { kind: u8, flag: u8 },
    /// The facilitator opens a prompt.
    Open(u8),
    /// The facilitator opens the next draft.
    Next,
    /// The facilitator closes a prompt.
    Close(u8),
    /// The facilitator locks or unlocks a prompt.
    Lock(u8, bool),
    /// The facilitator deletes a prompt (only drafts go).
    Delete(u8),
    /// The facilitator moves a prompt.
    Move(u8, u8),
    /// The facilitator adds time.
    AddTime(u8),
    /// The facilitator shows something on the projector.
    Screen(u8),
    /// Time passes (seconds), then the clock ticks.
    Tick(u16),
    /// The facilitator adds a group.
    AddGroup,
    /// A participant picks a group (or none).
    ChooseGroup { who: u8, group: u8 },
    /// A participant answers the prompt on their phone, whatever its kind: an item, a vote,
    /// a rating, a dot, a placement (or takes a dot or placement back when `c` is odd).
    Answer { who: u8, a: u8, b: u8, c: u8 },
    /// A participant sends an item; `resend` reuses an existing item's id.
    Submit {
        who: u8,
        prompt: u8,
        text: u8,
        column: u8,
        resend: Option<u8>,
    },
    /// A participant answers a poll.
    Vote {
        who: u8,
        prompt: u8,
        options: Vec<u8>,
    },
    /// A participant takes a poll answer back.
    WithdrawVote { who: u8, prompt: u8 },
    /// A participant rates a statement.
    Rate {
        who: u8,
        prompt: u8,
        statement: u8,
        value: u8,
    },
    /// A participant places (or removes) a dot.
    Dot {
        who: u8,
        prompt: u8,
        item: u8,
        remove: bool,
    },
    /// A participant places a ballot item on a matrix (or takes it back).
    Place {
        who: u8,
        prompt: u8,
        item: u8,
        x: u8,
        y: u8,
        remove: bool,
    },
    /// A participant likes or un-likes an item.
    Like { who: u8, item: u8, liked: bool },
    /// The facilitator hides or shows an item.
    Hide(u8, bool),
    /// The facilitator edits an item.
    Edit(u8, u8),
    /// The facilitator merges one item into another.
    Merge { into: u8, item: u8 },
    /// The facilitator undoes a merge.
    Unmerge(u8),
    /// The facilitator stars an item.
    Star(u8, bool),
    /// The facilitator approves a pre-moderated item.
    Approve(u8),
    /// The facilitator erases an item (tombstone, no text).
    Erase(u8),
    /// A participant withdraws an item (mostly their own).
    Withdraw { who: u8, item: u8 },
    /// The facilitator drops an item's earlier texts.
    EraseHistory(u8),
    /// The facilitator sorts a brainstorm: a theme command, a moved item or notes
    /// (`super::themes::command`), mostly on the prompt phones show.
    Theme {
        kind: u8,
        prompt: u8,
        item: u8,
        a: u8,
        b: u8,
    },
}

/// Texts participants send: plain, a case-folded duplicate, Finnish, control characters,
/// blank (refused), too long (refused).
pub const TEXTS: &[&str] = &[
    "Luottamus",
    "luottamus",
    "Äänekoski – yhdyspinnat ✓",
    "rivi yksi\nrivi kaksi",
    "x\u{0}\u{0}\u{0}y",
    "   ",
    "\"quoted, with comma\"; semi",
    "emoji 🙂 and spaces   ",
];

/// The text for index `n`: one of [`TEXTS`], or for the last index one over the limit.
pub fn text(n: u8) -> String {
    let n = usize::from(n) % (TEXTS.len() + 1);
    TEXTS
        .get(n)
        .map_or_else(|| "a".repeat(ITEM_TEXT_MAX + 1), |t| (*t).to_owned())
}

fn idx() -> impl Strategy<Value = u8> {
    prop_oneof![20 => 0u8..16, 1 => Just(255u8)]
}

fn who() -> impl Strategy<Value = u8> {
    0..PEOPLE
}

/// One operation, weighted so that answers and items (what a seminar mostly is) dominate.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..6, any::<u8>()).prop_map(|(kind, flag)| Op::AddPrompt { kind, flag }),
        6 => idx().prop_map(Op::Open),
        2 => Just(Op::Next),
        2 => idx().prop_map(Op::Close),
        1 => (idx(), any::<bool>()).prop_map(|(p, l)| Op::Lock(p, l)),
        1 => idx().prop_map(Op::Delete),
        1 => (idx(), 0u8..8).prop_map(|(p, to)| Op::Move(p, to)),
        1 => idx().prop_map(Op::AddTime),
        1 => any::<u8>().prop_map(Op::Screen),
        2 => prop_oneof![Just(0u16), 0u16..20, Just(4000u16)].prop_map(Op::Tick),
        1 => Just(Op::AddGroup),
        1 => (who(), 0u8..4).prop_map(|(who, group)| Op::ChooseGroup { who, group }),
        24 => (who(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(who, a, b, c)| Op::Answer { who, a, b, c }),
        6 => (who(), idx(), any::<u8>(), 0u8..4, prop::option::weighted(0.1, idx()))
            .prop_map(|(who, prompt, text, column, resend)| Op::Submit { who, prompt, text, column, resend }),
        4 => (who(), idx(), prop::collection::vec(0u8..5, 1..3))
            .prop_map(|(who, prompt, options)| Op::Vote { who, prompt, options }),
        1 => (who(), idx()).prop_map(|(who, prompt)| Op::WithdrawVote { who, prompt }),
        3 => (who(), idx(), 0u8..3, 0u8..7)
            .prop_map(|(who, prompt, statement, value)| Op::Rate { who, prompt, statement, value }),
        4 => (who(), idx(), idx(), prop::bool::weighted(0.2))
            .prop_map(|(who, prompt, item, remove)| Op::Dot { who, prompt, item, remove }),
        2 => (who(), idx(), idx(), 0u8..7, 0u8..7, prop::bool::weighted(0.2))
            .prop_map(|(who, prompt, item, x, y, remove)| Op::Place { who, prompt, item, x, y, remove }),
        3 => (who(), idx(), any::<bool>()).prop_map(|(who, item, liked)| Op::Like { who, item, liked }),
        2 => (idx(), any::<bool>()).prop_map(|(i, h)| Op::Hide(i, h)),
        2 => (idx(), any::<u8>()).prop_map(|(i, t)| Op::Edit(i, t)),
        2 => (idx(), idx()).prop_map(|(into, item)| Op::Merge { into, item }),
        1 => idx().prop_map(Op::Unmerge),
        1 => (idx(), any::<bool>()).prop_map(|(i, s)| Op::Star(i, s)),
        1 => idx().prop_map(Op::Approve),
        1 => idx().prop_map(Op::Erase),
        2 => (who(), idx()).prop_map(|(who, item)| Op::Withdraw { who, item }),
        1 => idx().prop_map(Op::EraseHistory),
        10 => (any::<u8>(), idx(), idx(), any::<u8>(), any::<u8>())
            .prop_map(|(kind, prompt, item, a, b)| Op::Theme { kind, prompt, item, a, b }),
    ]
}

/// A case: an agenda of one to four prompts, the first opened, then up to `steps` random
/// operations (which add, open and close more). Starting from a live prompt keeps most of a
/// case's answers meaningful instead of refused for want of a prompt.
pub fn case(steps: usize) -> impl Strategy<Value = Vec<Op>> {
    let agenda = (0u8..6, any::<u8>()).prop_map(|(kind, flag)| Op::AddPrompt { kind, flag });
    (
        prop::collection::vec(agenda, 1..=4),
        prop::collection::vec(op(), 0..=steps),
    )
        .prop_map(|(mut ops, rest)| {
            ops.push(Op::Open(0));
            ops.extend(rest);
            ops
        })
}

/// A participant known by number, the same in every run.
pub fn person(n: u8) -> ParticipantId {
    ParticipantId(Uuid::from_u128(u128::from(n % PEOPLE) + 1))
}

/// Resolves indexes against the session; hands out fresh item ids deterministically, so a
/// shrunk case replays exactly.
#[derive(Debug, Default)]
pub struct World {
    next_item: u128,
}

fn pick<T: Clone>(all: &[T], n: u8, missing: T) -> T {
    if n == 255 || all.is_empty() {
        missing
    } else {
        all[usize::from(n) % all.len()].clone()
    }
}

impl World {
    fn prompt(s: &Session, n: u8) -> PromptId {
        let ids: Vec<PromptId> = s.prompts().iter().map(|p| p.id.clone()).collect();
        pick(&ids, n, PromptId("p999".into()))
    }

    fn item(s: &Session, n: u8) -> ItemId {
        let ids: Vec<ItemId> = s.items().iter().map(|i| i.id).collect();
        pick(&ids, n, ItemId(Uuid::from_u128(u128::MAX)))
    }

    /// What a phone answers: mostly the prompt it shows (the current one), sometimes any.
    fn answered(s: &Session, n: u8) -> PromptId {
        match s.current_prompt() {
            Some(p) if n < 12 => p.id.clone(),
            _ => Self::prompt(s, n),
        }
    }

    /// What the facilitator sorts: mostly a brainstorm (the one with most items first).
    fn brainstorm(s: &Session, n: u8) -> PromptId {
        let mut ids: Vec<&Prompt> = s
            .prompts()
            .iter()
            .filter(|p| matches!(p.draft.activity, Activity::Brainstorm(_)))
            .collect();
        ids.sort_by_key(|p| std::cmp::Reverse(s.items_for(&p.id).count()));
        match n {
            0..=7 if !ids.is_empty() => ids[0].id.clone(),
            8..=11 if !ids.is_empty() => ids[usize::from(n) % ids.len()].id.clone(),
            _ => Self::prompt(s, n),
        }
    }

    /// What the facilitator opens: mostly a draft, sometimes any prompt.
    fn to_open(s: &Session, n: u8) -> PromptId {
        let drafts: Vec<PromptId> = s
            .prompts()
            .iter()
            .filter(|p| p.state == PromptState::Draft)
            .map(|p| p.id.clone())
            .collect();
        if n < 10 && !drafts.is_empty() {
            pick(&drafts, n, PromptId("p999".into()))
        } else {
            Self::prompt(s, n)
        }
    }

    /// An item of `prompt`'s ballot (dot votes and matrices), or any item when it has none.
    fn on_ballot(s: &Session, prompt: &PromptId, n: u8) -> ItemId {
        match s.prompt(prompt) {
            Some(p) if !p.ballot.is_empty() && n != 255 => {
                p.ballot[usize::from(n) % p.ballot.len()]
            }
            _ => Self::item(s, n),
        }
    }

    /// An item of the same prompt as `other` (merges), or any item.
    fn beside(s: &Session, other: &ItemId, n: u8) -> ItemId {
        let Some(prompt) = s.item(other).map(|i| i.prompt_id.clone()) else {
            return Self::item(s, n);
        };
        let ids: Vec<ItemId> = s.items_for(&prompt).map(|i| i.id).collect();
        pick(&ids, n, ItemId(Uuid::from_u128(u128::MAX)))
    }

    /// The column for `prompt`: one of its columns, or none without; `3` is always wrong.
    fn column(s: &Session, prompt: &PromptId, n: u8) -> Option<u8> {
        let columns = match s.prompt(prompt).map(|p| &p.draft.activity) {
            Some(Activity::Brainstorm(b)) => b.columns.len() as u8,
            _ => 0,
        };
        match (n, columns) {
            (3, 0) => Some(0),
            (3, _) => None,
            (_, 0) => None,
            (n, c) => Some(n % c),
        }
    }

    /// The answer [`Op::Answer`] stands for, on the current prompt.
    fn answer(&mut self, s: &Session, who: u8, a: u8, b: u8, c: u8) -> Command {
        let Some(current) = s.current_prompt() else {
            return Command::WithdrawVote {
                participant: person(who),
                prompt_id: PromptId("p999".into()),
            };
        };
        let (participant, prompt_id) = (person(who), current.id.clone());
        let take_back = c % 4 == 1;
        match &current.draft.activity {
            Activity::Brainstorm(_) | Activity::WordCloud(_) | Activity::Questions(_) => {
                self.next_item += 1;
                Command::Submit {
                    participant,
                    item_id: ItemId(Uuid::from_u128((1 << 64) + self.next_item)),
                    column: Self::column(s, &prompt_id, b % 4),
                    prompt_id,
                    text: text(a),
                    name: None,
                }
            }
            Activity::Poll(_) if take_back => Command::WithdrawVote {
                participant,
                prompt_id,
            },
            Activity::Poll(poll) => {
                let n = poll.options.len() as u8;
                let mut options = vec![a % n];
                if poll.multiple && b.is_multiple_of(2) {
                    options.push(b % n);
                }
                Command::Vote {
                    participant,
                    prompt_id,
                    options,
                }
            }
            Activity::Scale(scale) => Command::Rate {
                participant,
                prompt_id,
                statement: a % scale.statements.len() as u8,
                value: 1 + b % scale.max,
            },
            Activity::DotVote(_) => {
                // Taking a dot back mostly picks one of the dots this participant placed.
                let placed: Vec<ItemId> = s
                    .answers(&prompt_id)
                    .and_then(|set| set.dots_of(&participant))
                    .map(|dots| dots.keys().copied().collect())
                    .unwrap_or_default();
                let item_id = match placed.get(usize::from(a) % placed.len().max(1)) {
                    Some(id) if take_back => *id,
                    _ => Self::on_ballot(s, &prompt_id, a % 16),
                };
                if take_back {
                    Command::RemoveDot {
                        participant,
                        prompt_id,
                        item_id,
                    }
                } else {
                    Command::PlaceDot {
                        participant,
                        prompt_id,
                        item_id,
                    }
                }
            }
            Activity::Matrix(_) => {
                let item_id = Self::on_ballot(s, &prompt_id, a % 16);
                if take_back {
                    Command::Unplace {
                        participant,
                        prompt_id,
                        item_id,
                    }
                } else {
                    Command::Place {
                        participant,
                        prompt_id,
                        item_id,
                        x: 1 + b % 5,
                        y: 1 + c % 5,
                    }
                }
            }
        }
    }

    /// The command `op` stands for, against `s` as it is now.
    pub fn command(&mut self, s: &Session, op: &Op) -> Command {
        let prompt = |n| Self::prompt(s, n);
        let item = |n| Self::item(s, n);
        match op.clone() {
            Op::AddPrompt { kind, flag } => Command::AddPrompt {
                draft: draft(s, kind, flag),
            },
            Op::Open(p) => Command::OpenPrompt {
                prompt_id: Self::to_open(s, p),
            },
            Op::Next => Command::NextPrompt,
            Op::Close(p) => Command::ClosePrompt {
                prompt_id: prompt(p),
            },
            Op::Lock(p, locked) => Command::LockPrompt {
                prompt_id: prompt(p),
                locked,
            },
            Op::Delete(p) => Command::DeletePrompt {
                prompt_id: prompt(p),
            },
            Op::Move(p, position) => Command::MovePrompt {
                prompt_id: prompt(p),
                position: usize::from(position),
            },
            Op::AddTime(p) => Command::AddTime {
                prompt_id: prompt(p),
                secs: 30,
            },
            Op::Screen(n) => Command::ShowOnScreen {
                view: match n % 3 {
                    0 => ScreenView::Follow,
                    1 => ScreenView::Join,
                    _ => ScreenView::Prompt {
                        prompt_id: prompt(n / 3),
                    },
                },
            },
            Op::Tick(_) => Command::Tick,
            Op::AddGroup => Command::AddGroup {
                translations: Default::default(),
                name: format!("Ryhmä {}", s.groups().len() + 1),
                color: None,
            },
            Op::ChooseGroup { who, group } => Command::ChooseGroup {
                participant: person(who),
                group_id: (group > 0).then(|| GroupId(format!("g{group}"))),
            },
            Op::Answer { who, a, b, c } => self.answer(s, who, a, b, c),
            Op::Submit {
                who,
                prompt: p,
                text: t,
                column,
                resend,
            } => Command::Submit {
                participant: person(who),
                item_id: match resend {
                    Some(n) if !s.items().is_empty() => item(n),
                    _ => {
                        self.next_item += 1;
                        ItemId(Uuid::from_u128((1 << 64) + self.next_item))
                    }
                },
                prompt_id: Self::answered(s, p),
                text: text(t),
                column: Self::column(s, &Self::answered(s, p), column),
                name: None,
            },
            Op::Vote {
                who,
                prompt: p,
                options,
            } => Command::Vote {
                participant: person(who),
                prompt_id: Self::answered(s, p),
                options,
            },
            Op::WithdrawVote { who, prompt: p } => Command::WithdrawVote {
                participant: person(who),
                prompt_id: Self::answered(s, p),
            },
            Op::Rate {
                who,
                prompt: p,
                statement,
                value,
            } => Command::Rate {
                participant: person(who),
                prompt_id: Self::answered(s, p),
                statement,
                value,
            },
            Op::Dot {
                who,
                prompt: p,
                item: i,
                remove,
            } => {
                let prompt_id = Self::answered(s, p);
                let (participant, item_id) = (person(who), Self::on_ballot(s, &prompt_id, i));
                if remove {
                    Command::RemoveDot {
                        participant,
                        prompt_id,
                        item_id,
                    }
                } else {
                    Command::PlaceDot {
                        participant,
                        prompt_id,
                        item_id,
                    }
                }
            }
            Op::Place {
                who,
                prompt: p,
                item: i,
                x,
                y,
                remove,
            } => {
                let prompt_id = Self::answered(s, p);
                let (participant, item_id) = (person(who), Self::on_ballot(s, &prompt_id, i));
                if remove {
                    Command::Unplace {
                        participant,
                        prompt_id,
                        item_id,
                    }
                } else {
                    Command::Place {
                        participant,
                        prompt_id,
                        item_id,
                        x,
                        y,
                    }
                }
            }
            Op::Like {
                who,
                item: i,
                liked,
            } => Command::Like {
                participant: person(who),
                item_id: item(i),
                liked,
            },
            Op::Hide(i, true) => Command::HideItem { item_id: item(i) },
            Op::Hide(i, false) => Command::UnhideItem { item_id: item(i) },
            Op::Edit(i, t) => Command::EditItem {
                item_id: item(i),
                text: text(t),
            },
            Op::Merge { into, item: i } => Command::MergeItems {
                into: item(into),
                items: vec![Self::beside(s, &item(into), i)],
            },
            Op::Unmerge(i) => Command::UnmergeItem { item_id: item(i) },
            Op::Star(i, starred) => Command::StarItem {
                item_id: item(i),
                starred,
            },
            Op::Approve(i) => Command::ApproveItem { item_id: item(i) },
            Op::Erase(i) => Command::EraseItem { item_id: item(i) },
            Op::Withdraw { who, item: i } => {
                let own: Vec<ItemId> = s.items_of(&person(who)).map(|i| i.id).collect();
                Command::WithdrawItem {
                    participant: person(who),
                    item_id: if i < 12 && !own.is_empty() {
                        own[usize::from(i) % own.len()]
                    } else {
                        item(i)
                    },
                }
            }
            Op::EraseHistory(i) => Command::EraseItemHistory { item_id: item(i) },
            Op::Theme {
                kind,
                prompt: p,
                item: i,
                a,
                b,
            } => {
                let prompt_id = Self::brainstorm(s, p);
                let items = match i {
                    255 => vec![item(i)],
                    _ => {
                        let own: Vec<ItemId> = s.items_for(&prompt_id).map(|i| i.id).collect();
                        let n = usize::from(i);
                        (0..1 + n % 3)
                            .filter_map(|k| own.get((n + k * 5) % own.len().max(1)).copied())
                            .collect()
                    }
                };
                let existing: Vec<ThemeId> = s.themes(&prompt_id).iter().map(|t| t.id).collect();
                super::themes::command(prompt_id, &existing, items, kind, a, b)
            }
        }
    }
}

/// A draft of kind `kind % 6`; `flag`'s bits vary its settings. Ballot kinds vote on the
/// brainstorm with the most items (or on a prompt that does not exist, refused).
fn draft(s: &Session, kind: u8, flag: u8) -> PromptDraft {
    let bit = |n: u8| flag & (1 << n) != 0;
    let source = s
        .prompts()
        .iter()
        .filter(|p| matches!(p.draft.activity, Activity::Brainstorm(_)))
        .max_by_key(|p| s.items_for(&p.id).count())
        .map_or(PromptId("p999".into()), |p| p.id.clone());
    let activity = match kind % 6 {
        0 => Activity::Brainstorm(Brainstorm {
            columns: if bit(0) {
                vec!["Nyt".into(), "Myöhemmin".into()]
            } else {
                vec![]
            },
        }),
        1 => Activity::Poll(Poll {
            options: (0..2 + (flag % 3))
                .map(|i| format!("Vaihtoehto {i}"))
                .collect(),
            multiple: bit(2),
            may_change: bit(3),
        }),
        2 => Activity::Scale(Scale {
            statements: vec!["Yhteistyö toimii".into(), "Tieto kulkee".into()],
            max: 5,
            min_label: String::new(),
            max_label: String::new(),
        }),
        3 => Activity::WordCloud(WordCloud {
            max_answers: 1 + flag % 3,
        }),
        4 => Activity::DotVote(DotVote {
            source,
            dots: 3,
            max_per_item: 1 + u32::from(flag % 3),
            vote_on: VoteOn::Items,
        }),
        _ => Activity::Matrix(Matrix {
            source,
            x: Box::new(Axis {
                label: "Vaikutus".into(),
                low: "pieni".into(),
                high: "suuri".into(),
            }),
            y: Box::new(Axis {
                label: "Vaiva".into(),
                low: String::new(),
                high: String::new(),
            }),
        }),
    };
    // Only kinds that take items can be per group; asking for it elsewhere is refused.
    let per_group = bit(6) && bit(0) && activity.takes_items();
    PromptDraft {
        translations: Default::default(),
        activity,
        title: format!("Kysymys {}", s.prompts().len() + 1),
        instructions: String::new(),
        time_limit_secs: bit(4).then_some(10),
        auto_close: bit(5),
        per_group,
        premoderation: bit(7),
        wall: bit(1),
        show_results: ResultsVisibility::Live,
        reset_column: false,
        template: None,
    }
}
