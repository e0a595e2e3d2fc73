//! Template refs (`PromptDraft.template`): what a prompt made from a series' (or an agenda
//! file's) agenda remembers of its template prompt, so the comparison report can line up the
//! same question across seminars.

use super::testkit::*;
use super::*;

fn with_template(title: &str, template: &str) -> PromptDraft {
    PromptDraft {
        template: Some(template.into()),
        ..draft(title)
    }
}

#[test]
fn an_agenda_template_names_each_prompt_by_its_template_ref_or_its_own_id() {
    let mut s = session();
    let own = add(&mut s, "Oma kysymys");
    accept(
        &mut s,
        &Command::AddPrompt {
            draft: with_template("Sarjan kysymys", "p7"),
        },
        T0,
    );
    let refs: Vec<_> = s
        .agenda_template()
        .into_iter()
        .map(|d| d.template)
        .collect();
    assert_eq!(refs, [Some(own.0), Some("p7".to_owned())]);
}

#[test]
fn editing_a_prompt_keeps_its_template_and_a_copy_has_none() {
    let mut s = session();
    accept(
        &mut s,
        &Command::ImportAgenda {
            prompts: vec![with_template("Mitkä kysymykset?", "p2")],
        },
        T0,
    );
    let id = s.prompts()[0].id.clone();
    // The console's edit form sends no template ref.
    accept(
        &mut s,
        &Command::UpdatePrompt {
            prompt_id: id.clone(),
            draft: draft("Mitkä kysymykset ovat tärkeitä?"),
        },
        T0,
    );
    assert_eq!(s.prompts()[0].draft.template.as_deref(), Some("p2"));
    assert_eq!(
        s.prompts()[0].draft.title,
        "Mitkä kysymykset ovat tärkeitä?"
    );
    accept(&mut s, &Command::DuplicatePrompt { prompt_id: id }, T0);
    assert_eq!(s.prompts()[1].draft.template, None);
}

#[test]
fn a_template_ref_is_trimmed_and_must_look_like_a_prompt_id() {
    let mut s = session();
    accept(
        &mut s,
        &Command::AddPrompt {
            draft: with_template("A", "  p3 "),
        },
        T0,
    );
    assert_eq!(s.prompts()[0].draft.template.as_deref(), Some("p3"));
    accept(
        &mut s,
        &Command::AddPrompt {
            draft: with_template("B", "   "),
        },
        T0,
    );
    assert_eq!(s.prompts()[1].draft.template, None);
    for bad in ["p 3", "<p3>", &"p".repeat(TEMPLATE_REF_MAX + 1)] {
        let before = s.clone();
        let refused = s.apply(
            &Command::AddPrompt {
                draft: with_template("C", bad),
            },
            T0,
        );
        assert!(
            matches!(refused, Err(Rejection::InvalidPrompt(_))),
            "{bad}: {refused:?}"
        );
        assert_eq!(s, before, "a refusal changes nothing");
    }
}

#[test]
fn the_template_ref_is_on_the_wire_only_when_there_is_one() {
    let plain = serde_json::to_value(draft("A")).unwrap();
    assert!(plain.get("template").is_none(), "{plain}");
    let with = serde_json::to_value(with_template("A", "p2")).unwrap();
    assert_eq!(with["template"], "p2");
    let back: PromptDraft = serde_json::from_value(with).unwrap();
    assert_eq!(back.template.as_deref(), Some("p2"));
}
