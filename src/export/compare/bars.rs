//! A shared poll's or scale's results as grouped bars: one row per option or statement (matched
//! across sessions by folded text, in the order they first appear), one bar per session.

use crate::session::{normalize_word, Activity, Prompt, PromptState, Results, Session};

use super::model::{BarRow, BarUnit, BarValue, Bars};

/// The bars of a shared poll or scale; `None` for other kinds.
pub fn bars(sessions: &[&Session], prompts: &[Option<&Prompt>]) -> Option<Bars> {
    let first = prompts.iter().flatten().next()?;
    let (unit, mut max) = match &first.draft.activity {
        Activity::Poll(_) => (BarUnit::Share, 0),
        Activity::Scale(s) => (BarUnit::Mean, s.max),
        _ => return None,
    };
    let mut rows: Vec<(String, BarRow)> = Vec::new();
    let mut answered = vec![None; sessions.len()];
    for (s, (session, prompt)) in sessions.iter().zip(prompts).enumerate() {
        let Some(prompt) = prompt.filter(|p| p.state != PromptState::Draft) else {
            continue;
        };
        let (labels, values, n) = match (&prompt.draft.activity, session.results(prompt)) {
            (Activity::Poll(p), Results::Poll { voters, counts }) => {
                let values: Vec<Option<BarValue>> = counts
                    .iter()
                    .map(|&c| {
                        let share = if voters == 0 {
                            0.0
                        } else {
                            c as f64 / voters as f64
                        };
                        Some(BarValue {
                            value: share,
                            count: c,
                        })
                    })
                    .collect();
                (p.options.clone(), values, voters)
            }
            (Activity::Scale(sc), Results::Scale { statements }) => {
                max = max.max(sc.max);
                let n = crate::export::tables::respondents(session, prompt).len();
                let values: Vec<Option<BarValue>> = statements
                    .iter()
                    .map(|r| {
                        r.mean.map(|m| BarValue {
                            value: m,
                            count: r.n,
                        })
                    })
                    .collect();
                (sc.statements.clone(), values, n)
            }
            _ => continue,
        };
        answered[s] = Some(n);
        for (label, value) in labels.into_iter().zip(values) {
            let key = normalize_word(&label);
            let at = match rows.iter().position(|(k, _)| *k == key) {
                Some(at) => at,
                None => {
                    rows.push((
                        key,
                        BarRow {
                            label,
                            values: vec![None; sessions.len()],
                        },
                    ));
                    rows.len() - 1
                }
            };
            rows[at].1.values[s] = value;
        }
    }
    Some(Bars {
        unit,
        max,
        answered,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    })
}
