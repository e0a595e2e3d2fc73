//! Browser tests: Debian's Chromium, driven by playwright-core scripts in `tests/browser/`,
//! against the real server started in-process. They need Chromium and `npm ci` in
//! `tests/browser`; without them they fail with the commands to run, never skip silently.
//! `PAJA_SKIP_BROWSER=1` skips them on purpose on a machine without Chromium (CI never sets it).

use std::time::Duration;

use crate::node::{run_node, skipped, ONE_BROWSER};
use crate::support::TestServer;

/// A whole script, browser start included (each takes seconds; CI machines are slow and shared).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

/// Participant HTML and script are shown as text on the projector, the console and the phones,
/// and nothing runs (issue 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participant_markup_is_shown_as_text_and_never_runs() {
    run_script("xss.mjs").await;
}

/// A phone, the console and the projector through a brainstorm, a poll and a word cloud, with
/// screenshots for the README (issue 6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_console_and_projector_as_people_use_them() {
    run_script("smoke.mjs").await;
}

/// The phone from 320 px wide and with the keyboard up; the projector's language, its join
/// page at every size and 300 items arriving without a redraw; the console's QR code, export
/// dialog and say over the projector (issues 6 and 7).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_fits_the_keyboard_and_projector_speaks_its_language() {
    run_script("views.mjs").await;
}

/// The report downloaded with the key renders in Chromium as a file: its charts drawn, participant
/// markup as text, nothing fetched, and it prints to an A4 PDF (issue 7).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_renders_in_chromium_and_prints_to_pdf() {
    run_script("report.mjs").await;
}

/// WCAG 2.1 AA: axe-core finds no violation on the start page, phones, the console and both
/// projector themes in every activity and language; Tab stops show focus in document order,
/// the phone's live region speaks, and answer states are words, not colours (issue 6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_meets_wcag_2_1_aa() {
    run_script("a11y.mjs").await;
}

/// The worst realistic content (`worst.mjs`) on phones at 320×568, 360×640 and 360×330
/// (keyboard up): question, answer box and Send in view, the confirmation in view after Send,
/// sticky bars never overlapping, tap targets of 44 px (issue 11).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_fits_the_worst_content() {
    run_script("fit-phone.mjs").await;
}

/// The worst realistic content on the projector at 1920×1080 and 1280×720: every dot-vote item
/// and poll option on screen with large labels, instructions shown, cards that keep their place,
/// merged counts, hyphenation by language (issue 11).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projector_fits_the_worst_content() {
    run_script("fit-projector.mjs").await;
}

/// A prompt in Finnish and Swedish: phones at 320 and 360 px in fi, sv and en read their
/// language or the main one tagged, the projector stacks "fi + sv" and fits at 1080p and 720p,
/// the console's editor writes the Swedish side by side (issue 17).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_in_two_languages() {
    run_script("bilingual.mjs").await;
}

/// The worst realistic content at the console at 1366×768: the live prompt's controls stay in
/// view while moderating, six items visible, toolbars that do not reflow, menus on screen
/// (issue 11).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_fits_the_worst_content() {
    run_script("fit-console.mjs").await;
}

/// The matrix (2×2) on the room's own items: a brainstorm's 14 long Finnish items placed from
/// phones at 320 px by tapping and with the keyboard only (a radio group with a roving
/// tabindex), the projector's chart and legend all on screen and live, the console's table,
/// and results hidden until close (issue 12, "The proof").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_placed_from_phones_shown_on_the_projector() {
    run_script("matrix.mjs").await;
}

/// Questions to the speaker (issue 17, part 2): phones at 320 and 360 px in fi, sv and en ask
/// (one with a name) and vote; a 360 px console approves, highlights, marks answered, merges
/// and hides; 100 phones vote at once and the 1080p projector shows the export's top five; a
/// vote while a phone's list is held does not reorder it until idle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_asked_voted_and_moderated_in_the_browser() {
    run_script("questions.mjs").await;
}

/// A series as a person makes one: created on the start page (its link shown once), an agenda
/// file as its template, a seminar made in it and listed, its export downloaded with the series
/// key, the seminar's console opening with the copied agenda (issue 14, part 3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_and_a_seminar_in_it_made_in_the_browser() {
    run_script("series.mjs").await;
}

/// `Conn`, the connection every page uses, as a state machine in node with a fake socket and fake
/// timers: resumed is live, commands wait and go in order, lost requests are reported, a silent
/// socket is found, a spare attempt wins, offline and unreachable are told apart (issue 11).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conn_state_machine() {
    run_node("conn.mjs", "-", &[], SCRIPT_TIMEOUT).await;
}

/// The web client type-checks: its plain JS and JSDoc against the wire contract in
/// `web/protocol.d.ts` (`tsc -p web`, TypeScript from tests/browser's devDependencies), so a
/// renamed field or a wrong call fails here rather than on a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_client_type_checks() {
    run_node("types.mjs", "-", &[], SCRIPT_TIMEOUT).await;
}

/// Runs `tests/browser/<script>` with node against a fresh in-process server; fails with its
/// output.
pub async fn run_script(script: &str) {
    if skipped(script) {
        return;
    }
    let _turn = ONE_BROWSER.lock().await;
    let server = TestServer::start().await;
    run_node(
        script,
        &format!("http://{}", server.addr),
        &[],
        SCRIPT_TIMEOUT,
    )
    .await;
}

/// Erasure as people do it: a phone withdraws its own text, the facilitator erases another's
/// with the keyboard only after a confirmation; both leave the phones' lists and walls, the
/// projector and the console, also after a reload (issue 13, part 5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawn_and_erased_texts_leave_every_screen() {
    run_script("erase.mjs").await;
}

/// Themes curated live at a 1280×720 console: made, picked by keyboard, Shift+click and drag,
/// moved, renamed, merged, reordered, filtered; an item moved to another column and group;
/// notes saved and back after a reload; the projector by theme with headings and counts, all
/// on screen with 8 themes × 6 long Finnish items; a 320 px phone unaffected (issue 14).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn themes_curated_at_the_console_shown_by_theme() {
    run_script("themes.mjs").await;
}

/// Two seminars of one series as people run them (issue 14, part 4): the series and its
/// template made in the browser, phones at 360 px in groups, themes made at the console, notes,
/// a dot vote on the themes; then the comparison report from the series page in Chromium: the
/// shared prompt side by side, each seminar's counts as its own export says, the recurring item
/// and inflected forms found in both, themes, the top-voted theme, the notes; an A4 PDF with
/// nothing wider than the page; the other formats with the series key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_seminars_of_a_series_compared_in_a_printed_report() {
    run_script("seminar_series.mjs").await;
}

/// A session unloaded while everyone is away (a 1 s `unload_after`) comes back in real
/// Chromium as it was: the phone's confirmed items, then a new one on the console and the
/// projector (issue 15, part 5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_unloaded_over_lunch_comes_back_in_the_browser() {
    let script = "unload.mjs";
    if skipped(script) {
        return;
    }
    let _turn = ONE_BROWSER.lock().await;
    let data = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start_with(paja::Config {
        data_dir: data.path().to_path_buf(),
        unload_after: Duration::from_secs(1),
        ..paja::Config::default()
    })
    .await;
    run_node(
        script,
        &format!("http://{}", server.addr),
        &[],
        SCRIPT_TIMEOUT,
    )
    .await;
}

/// Issue 16 in Chromium, through the cluster rig (three nats-server, three `paja --nats`): a
/// phone page on one node and the console on another, the session's owner — the third node —
/// SIGKILLed mid-brainstorm. The phone keeps its websocket, the items it sent during the stall
/// are confirmed afterwards, and the console shows each exactly once. Which node owns the
/// session is the cluster's choice (rendezvous hashing), so the phone and the console go to the
/// two others. Needs nats-server too (scripts/install-nats).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_phone_rides_out_the_owner_dying() {
    let script = "cluster.mjs";
    if skipped(script) {
        return;
    }
    let _turn = ONE_BROWSER.lock().await;
    let mut rig = crate::cluster::rig::ClusterRig::start().await;
    let slug = "selain-klusteri";
    let (key, _) = crate::cluster::checks::session(&rig, 0, slug).await;
    let (owner, _) = rig.wait_owner(slug, |_, _| true).await;
    let others: Vec<usize> = (0..3).filter(|i| *i != owner).collect();
    let (phone, console) = (&rig.nodes[others[0]], &rig.nodes[others[1]]);
    let console_url = format!("{}/{slug}/control#key={key}", console.base());
    let phone_url = format!("{}/{slug}", phone.base());
    let owner_pid = rig.nodes[owner].pid().to_string();
    run_node(
        script,
        &phone.base(),
        &[
            ("PAJA_CLUSTER_CONSOLE", &console_url),
            ("PAJA_CLUSTER_PHONE_URL", &phone_url),
            ("PAJA_CLUSTER_OWNER_PID", &owner_pid),
        ],
        SCRIPT_TIMEOUT,
    )
    .await;
}

/// A rehearsal in Chromium (issue 17, part 3): marked on phones at 320 and 360 px in fi, sv and
/// en, on the 1080p projector and on the console; its reset (confirmed, Cancel first) leaves
/// no canary in any file of the data directory, sent or waiting in an offline phone's outbox,
/// while the agenda stays, and every view starts over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rehearsal_marked_everywhere_and_reset_without_a_trace() {
    let script = "rehearsal.mjs";
    if skipped(script) {
        return;
    }
    let _turn = ONE_BROWSER.lock().await;
    let server = TestServer::start().await;
    let data = server.data_dir.display().to_string();
    run_node(
        script,
        &format!("http://{}", server.addr),
        &[("PAJA_DATA_DIR", data.as_str())],
        SCRIPT_TIMEOUT,
    )
    .await;
}
