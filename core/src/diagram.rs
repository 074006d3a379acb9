//! Workflow diagrams: a [`Workflow`] drawn as a self-contained SVG image.
//!
//! States sit in columns by their breadth-first distance from the initial
//! state (unreachable ones in a last column). Each arrow carries a label:
//! the transition's title and who may fire it. Arrows to the next column or
//! within one pass through their label, stacked in the gap after the source's
//! column; longer forward arrows arc above the boxes, backward ones below,
//! and self-loops sit on top of their box.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use crate::schema::Translated;
use crate::workflow::{Transition, Workflow};

const BOX_H: f64 = 52.0;
const LANE: f64 = 46.0;
const MARGIN: f64 = 16.0;
const STYLE: &str = ".bf-wf text{font-family:system-ui,'Segoe UI',Arial,sans-serif;fill:#1a1a1a;text-anchor:middle}\
.bf-wf .t{font-size:14px;font-weight:600}.bf-wf .i,.bf-wf .w{font-size:11px;fill:#3d3d3d}.bf-wf .l{font-size:12px}";

type Pt = (f64, f64);

/// How an arrow is drawn: through a label in the gap after its source's
/// column, as the `n`th self-loop of its state, or in a lane above or below.
enum Route {
    Gap,
    Loop(usize),
    Over(usize),
    Under(usize),
}

/// Draws `w` as an SVG document, with titles in `lang`.
pub fn svg(w: &Workflow, lang: &str) -> String {
    let n = w.states.len();
    let mut index = BTreeMap::new();
    for (i, s) in w.states.iter().enumerate() {
        index.entry(s.id.as_str()).or_insert(i);
    }
    // Arrows: (transition, from state, to state); unknown states are skipped.
    let mut arrows = Vec::new();
    for (ti, t) in w.transitions.iter().enumerate() {
        if let Some(&b) = index.get(t.to.as_str()) {
            let from = t.from.iter().filter_map(|f| index.get(f.as_str()));
            arrows.extend(from.map(|&a| (ti, a, b)));
        }
    }
    let mut depth: Vec<Option<usize>> = vec![None; n];
    let mut queue = VecDeque::new();
    let initial = index.get(w.initial.as_str()).copied();
    if let Some(i) = initial {
        depth[i] = Some(0);
        queue.push_back((i, 0));
    }
    while let Some((i, d)) = queue.pop_front() {
        for &(_, a, b) in &arrows {
            if a == i && depth[b].is_none() {
                depth[b] = Some(d + 1);
                queue.push_back((b, d + 1));
            }
        }
    }
    let last = depth.iter().flatten().max().map_or(0, |m| m + 1);
    let col: Vec<usize> = depth.iter().map(|d| d.unwrap_or(last)).collect();
    let ncols = col.iter().max().map_or(0, |m| m + 1);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); ncols];
    let mut row = vec![0; n];
    for (i, &c) in col.iter().enumerate() {
        row[i] = columns[c].len();
        columns[c].push(i);
    }

    let labels: Vec<(&str, String)> = w
        .transitions
        .iter()
        .map(|t| (title(&t.title, lang, &t.id), who(t, " ✎")))
        .collect();
    let size = |ti: usize| {
        let (a, b) = &labels[ti];
        let h = if b.is_empty() { 20.0 } else { 34.0 };
        (width(a, 7.0).max(width(b, 6.5)) + 12.0, h)
    };

    // Lanes above (forward) and below (backward) for long arrows, shortest
    // nearest the boxes; arrows sharing a column never share a lane.
    let mut lane_of = vec![0; arrows.len()];
    let mut order: Vec<usize> = (0..arrows.len()).collect();
    order.sort_by_key(|&e| col[arrows[e].1].abs_diff(col[arrows[e].2]));
    let mut lanes: [Vec<Vec<(usize, usize)>>; 2] = Default::default();
    for e in order {
        let (ca, cb) = (col[arrows[e].1], col[arrows[e].2]);
        if ca == cb || cb == ca + 1 {
            continue;
        }
        let (side, span) = (&mut lanes[usize::from(cb < ca)], (ca.min(cb), ca.max(cb)));
        let free = side
            .iter()
            .position(|l| l.iter().all(|&(lo, hi)| hi < span.0 || span.1 < lo));
        let lane = free.unwrap_or(side.len());
        if lane == side.len() {
            side.push(Vec::new());
        }
        side[lane].push(span);
        lane_of[e] = lane;
    }
    let mut loops = vec![0; n];
    let routes: Vec<Route> = arrows
        .iter()
        .enumerate()
        .map(|(e, &(_, a, b))| match (col[a], col[b]) {
            _ if a == b => {
                loops[a] += 1;
                Route::Loop(loops[a] - 1)
            }
            (ca, cb) if ca == cb || cb == ca + 1 => Route::Gap,
            (ca, cb) if cb > ca => Route::Over(lane_of[e]),
            _ => Route::Under(lane_of[e]),
        })
        .collect();

    // Column widths and the gaps after them, wide enough for their labels.
    let mut gap = vec![120.0_f64; ncols];
    for (&(ti, a, _), r) in arrows.iter().zip(&routes) {
        if matches!(r, Route::Gap) {
            gap[col[a]] = gap[col[a]].max(size(ti).0 + 40.0);
        }
    }
    let bw: Vec<f64> = columns
        .iter()
        .map(|c| {
            let states = c.iter().map(|&i| &w.states[i]);
            states
                .map(|s| width(title(&s.title, lang, &s.id), 8.0).max(width(&s.id, 6.6)) + 28.0)
                .fold(110.0, f64::max)
        })
        .collect();
    let (mut xs, mut x) = (Vec::with_capacity(ncols), 0.0);
    for (bw, g) in bw.iter().zip(&gap) {
        xs.push(x);
        x += bw + g;
    }
    let any_loop = loops.iter().any(|&l| l > 0);
    let rg = if any_loop { 84.0 } else { 44.0 };
    let colh = |c: &[usize]| c.len() as f64 * (BOX_H + rg) - rg;
    let maxh = columns.iter().map(|c| colh(c)).fold(0.0, f64::max);
    let boxes: Vec<(f64, f64, f64)> = (0..n)
        .map(|i| {
            let c = col[i];
            let y = (maxh - colh(&columns[c])) / 2.0 + row[i] as f64 * (BOX_H + rg);
            (xs[c], y, bw[c])
        })
        .collect();
    let mid = BOX_H / 2.0;

    // Labels in each gap, stacked without overlap near where their arrows want them.
    let mut label = vec![(0.0, 0.0); arrows.len()];
    let mut stacks: Vec<Vec<(f64, usize)>> = vec![Vec::new(); ncols];
    for (e, &(_, a, b)) in arrows.iter().enumerate() {
        if matches!(routes[e], Route::Gap) {
            stacks[col[a]].push(((boxes[a].1 + boxes[b].1) / 2.0 + mid, e));
        }
    }
    for (c, mut stack) in stacks.into_iter().enumerate() {
        // By height, then by target's height, to cross fewer arrows.
        stack.sort_by(|p, q| {
            let to = |e: usize| boxes[arrows[e].2].1;
            p.0.total_cmp(&q.0).then(to(p.1).total_cmp(&to(q.1)))
        });
        let (mut placed, mut cursor) = (Vec::with_capacity(stack.len()), f64::MIN);
        for &(want, e) in &stack {
            let h = size(arrows[e].0).1;
            let y = (want - h / 2.0).max(cursor);
            cursor = y + h + 6.0;
            placed.push(y + h / 2.0);
        }
        let moved: f64 = stack.iter().zip(&placed).map(|(s, p)| s.0 - p).sum();
        let shift = moved / stack.len().max(1) as f64;
        let x = xs[c] + bw[c] + gap[c] / 2.0;
        for (&(_, e), y) in stack.iter().zip(placed) {
            label[e] = (x, y + shift);
        }
    }

    // Each arrow as cubic Bézier curves, with its label's centre.
    let top = if any_loop { -90.0 } else { -30.0 };
    let edges: Vec<(Vec<Pt>, Pt)> = arrows
        .iter()
        .zip(&routes)
        .enumerate()
        .map(|(e, (&(ti, a, b), r))| {
            let ((xa, ya, wa), (xb, yb, wb)) = (boxes[a], boxes[b]);
            let (lw, lh) = size(ti);
            match *r {
                Route::Gap => {
                    let (l, s) = (label[e], (xa + wa, ya + mid));
                    let t = (if col[a] == col[b] { xb + wb } else { xb }, yb + mid);
                    let (d1, d2) = ((l.0 - s.0) / 2.0, (t.0 - l.0) / 2.0);
                    let (c1, c2) = ((s.0 + d1, s.1), (l.0 - d1, l.1));
                    (vec![s, c1, c2, l, (l.0 + d2, l.1), (t.0 - d2, t.1), t], l)
                }
                Route::Loop(k) => {
                    let (h, r, y) = (40.0 + k as f64 * 48.0, xa + wa, ya);
                    let l = ((r - 26.0).min(r - lw / 2.0), y - 0.75 * h - lh / 2.0 - 2.0);
                    (
                        vec![
                            (r - 38.0, y),
                            (r - 50.0, y - h),
                            (r - 2.0, y - h),
                            (r - 14.0, y),
                        ],
                        l,
                    )
                }
                Route::Over(k) | Route::Under(k) => {
                    let under = matches!(r, Route::Under(_));
                    let spread = k.min(3) as f64 * 12.0;
                    // An end with another box beyond it leaves from the side;
                    // others move outwards by lane, so that lanes nest.
                    let end = |i: usize, toward: f64| {
                        let (x, y, w) = boxes[i];
                        let last = columns[col[i]].len() - 1;
                        let outer = row[i] == if under { last } else { 0 };
                        if outer {
                            let px = x + w / 2.0 - toward * spread;
                            ((px, if under { y + BOX_H } else { y }), px)
                        } else {
                            let px = if toward > 0.0 { x + w } else { x };
                            ((px, y + mid), px + toward * 40.0)
                        }
                    };
                    let dir = if xa < xb { 1.0 } else { -1.0 };
                    let ((s, c1), (t, c2)) = (end(a, dir), end(b, -dir));
                    let apex = if under {
                        maxh + 30.0 + k as f64 * LANE
                    } else {
                        top - k as f64 * LANE
                    };
                    let cy = (apex - (s.1 + t.1) / 8.0) / 0.75;
                    let c = vec![s, (c1, cy), (c2, cy), t];
                    let l = at(&c, 0.5);
                    (c, l)
                }
            }
        })
        .collect();

    // Drawing, while keeping track of the bounds.
    let mut bb = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let mut grow = |(x, y): Pt| bb = [bb[0].min(x), bb[1].min(y), bb[2].max(x), bb[3].max(y)];
    let id: String = w
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let id = format!("bf-wf-{id}");
    let mut body = String::from("<g class=\"bf-wf-states\">");
    for (i, s) in w.states.iter().enumerate() {
        let (x, y, bw) = boxes[i];
        let first = initial == Some(i);
        grow((x - if first { 32.0 } else { 0.0 }, y));
        grow((x + bw, y + BOX_H));
        let _ = write!(
            body,
            "<g><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{BOX_H:.1}\" rx=\"8\" \
             fill=\"#eef4fb\" stroke=\"#1f3a5f\" stroke-width=\"{}\"/>",
            if first { 3 } else { 1 }
        );
        if s.is_final {
            let _ = write!(
                body,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" fill=\"none\" stroke=\"#1f3a5f\"/>",
                x + 4.0, y + 4.0, bw - 8.0, BOX_H - 8.0
            );
        }
        if first {
            let _ = write!(
                body,
                "<path d=\"M{:.1},{:.1}H{:.1}\" stroke=\"#1f3a5f\" stroke-width=\"2\" marker-end=\"url(#{id}-arrow)\"/>",
                x - 32.0, y + mid, x - 1.0
            );
        }
        let name = title(&s.title, lang, &s.id);
        text(&mut body, "t", (x + bw / 2.0, y + 22.0), name);
        text(&mut body, "i", (x + bw / 2.0, y + 40.0), &s.id);
        body.push_str("</g>");
    }
    body.push_str(
        "</g><g class=\"bf-wf-arrows\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\">",
    );
    for (c, _) in &edges {
        for seg in c.windows(4).step_by(3) {
            (0..=16).for_each(|t| grow(at(seg, f64::from(t) / 16.0)));
        }
        let _ = write!(body, "<path d=\"M{:.1},{:.1}", c[0].0, c[0].1);
        for (i, (x, y)) in c.iter().enumerate().skip(1) {
            let _ = write!(body, "{}{x:.1},{y:.1}", if i % 3 == 1 { "C" } else { " " });
        }
        let _ = write!(body, "\" marker-end=\"url(#{id}-arrow)\"/>");
    }
    body.push_str("</g><g class=\"bf-wf-labels\">");
    for (&(ti, _, _), &(_, (lx, ly))) in arrows.iter().zip(&edges) {
        let ((lw, lh), (head, who)) = (size(ti), &labels[ti]);
        let (x, y) = (lx - lw / 2.0, ly - lh / 2.0);
        grow((x, y));
        grow((x + lw, y + lh));
        let _ = write!(
            body,
            "<g><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{lw:.1}\" height=\"{lh:.1}\" rx=\"4\" fill=\"#fff\"/>"
        );
        text(&mut body, "l", (lx, y + 14.0), head);
        if !who.is_empty() {
            text(&mut body, "w", (lx, y + 29.0), who);
        }
        body.push_str("</g>");
    }
    body.push_str("</g>");
    if bb[0] > bb[2] {
        bb = [0.0, 0.0, 200.0, 40.0];
    }
    let (x0, y0) = (bb[0] - MARGIN, bb[1] - MARGIN);
    let width = (bb[2] - bb[0] + 2.0 * MARGIN).ceil();
    let height = (bb[3] - bb[1] + 2.0 * MARGIN).ceil();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bf-wf\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"{x0:.1} {y0:.1} {width:.0} {height:.0}\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc><style>{STYLE}</style>\
         <defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" \
         markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#333\"/></marker></defs>{body}</svg>\n",
        esc(title(&w.title, lang, &w.name)),
        esc(&describe(w, lang, &index))
    )
}

/// The states and transitions in words, for the `<desc>`.
fn describe<'a>(w: &'a Workflow, lang: &str, index: &BTreeMap<&str, usize>) -> String {
    let name = |id: &'a str| -> &'a str {
        index
            .get(id)
            .map_or(id, |&i| title(&w.states[i].title, lang, id))
    };
    let states: Vec<String> = w
        .states
        .iter()
        .map(|s| {
            let notes = [(s.id == w.initial, ", initial"), (s.is_final, ", final")];
            let notes: String = notes.iter().filter(|n| n.0).map(|n| n.1).collect();
            format!("{} ({}{notes})", name(&s.id), s.id)
        })
        .collect();
    let mut text = format!("States: {}.", states.join("; "));
    if !w.transitions.is_empty() {
        text.push_str(" Transitions:");
    }
    for t in &w.transitions {
        let from: Vec<&str> = t.from.iter().map(|f| name(f)).collect();
        let _ = write!(
            text,
            " {} ({}): {} → {}",
            title(&t.title, lang, &t.id),
            t.id,
            from.join(", "),
            name(&t.to)
        );
        let who = who(t, " (comment required)");
        if !who.is_empty() {
            let _ = write!(text, ", by {who}");
        }
        text.push('.');
    }
    text
}

/// The text in `lang`, or `id` when there is none.
fn title<'a>(t: &'a Translated, lang: &str, id: &'a str) -> &'a str {
    Some(t.get(lang)).filter(|s| !s.is_empty()).unwrap_or(id)
}

/// Who may fire `t`, with its guard and `comment` when one is required.
fn who(t: &Transition, comment: &str) -> String {
    let mut s = t.permission.clone().unwrap_or_else(|| t.roles.join(", "));
    if let Some(g) = &t.guard {
        let _ = write!(s, " [guard: {g}]");
    }
    if t.comment_required {
        s.push_str(comment);
    }
    s.trim_start().to_owned()
}

/// Appends a `<text>` of `class` at `(x, y)`.
fn text(out: &mut String, class: &str, (x, y): Pt, s: &str) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\">{}</text>",
        esc(s)
    );
}

/// The approximate width of `s`, at `per` pixels a character.
fn width(s: &str, per: f64) -> f64 {
    s.chars().count() as f64 * per
}

/// The point at `t` on the Bézier curve `c`.
fn at(c: &[Pt], t: f64) -> Pt {
    let u = 1.0 - t;
    let k = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    let f = |g: fn(&Pt) -> f64| c.iter().zip(k).map(|(p, k)| g(p) * k).sum();
    (f(|p| p.0), f(|p| p.1))
}

/// `s` escaped for XML text and attributes ([`crate::text::escape_xml`]).
fn esc(s: &str) -> String {
    crate::text::escape_xml(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::State;

    fn tr(en: &str) -> Translated {
        Translated([("en".to_owned(), en.to_owned())].into_iter().collect())
    }

    /// Simple publication: private → pending → published, and back.
    fn publication() -> Workflow {
        let states = [
            ("private", "Private"),
            ("pending", "Pending review"),
            ("published", "Published"),
        ];
        let transitions = [
            ("submit", "Submit", "private", "pending", "Owner"),
            ("publish", "Publish", "pending", "published", ""),
            ("retract", "Retract", "published", "private", "Owner"),
            ("reject", "Send back", "pending", "private", "Reviewer"),
        ];
        let mut w = Workflow {
            name: "simple_publication".into(),
            title: tr("Simple publication"),
            description: Translated::default(),
            initial: "private".into(),
            states: states
                .map(|(id, t)| State {
                    id: id.into(),
                    title: tr(t),
                    permissions: BTreeMap::new(),
                    local_roles: Vec::new(),
                    is_final: id == "published",
                    adaptation: None,
                    without: None,
                })
                .to_vec(),
            transitions: transitions
                .map(|(id, t, from, to, role)| Transition {
                    id: id.into(),
                    title: tr(t),
                    from: vec![from.into()],
                    to: to.into(),
                    permission: None,
                    roles: [role, "Editor"]
                        .iter()
                        .filter(|r| !r.is_empty())
                        .map(|r| (*r).into())
                        .collect(),
                    guard: None,
                    comment_required: id == "reject",
                    adaptation: None,
                    without: None,
                })
                .to_vec(),
            adaptations: Vec::new(),
            module: "core".into(),
            source: "core/simple_publication.toml".into(),
        };
        w.transitions[1].permission = Some("Review portal content".into());
        w.transitions[1].guard = Some("has_text".into());
        w
    }

    /// Whether every element opened is closed.
    fn balanced(s: &str) -> bool {
        let tags = [
            "g", "text", "title", "desc", "style", "defs", "marker", "svg",
        ];
        let open =
            |t: &str| s.matches(&format!("<{t}>")).count() + s.matches(&format!("<{t} ")).count();
        tags.iter()
            .all(|t| open(t) == s.matches(&format!("</{t}>")).count())
            && s.matches("<g").count() == s.matches("</g>").count()
    }

    #[test]
    fn draws_states_and_transitions() {
        let w = publication();
        let s = svg(&w, "fr");
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n") && balanced(&s));
        for t in [
            "Private",
            "Pending review",
            "Published",
            "Submit",
            "Publish",
            "Retract",
            "Send back",
        ] {
            assert!(s.contains(&format!(">{t}</text>")), "missing {t}");
        }
        assert!(s.contains(">Owner, Editor<") && s.contains(">Reviewer, Editor ✎<"));
        assert!(s.contains(">Review portal content [guard: has_text]<"));
        assert!(s.contains("role=\"img\"") && s.contains("<desc id="));
        // Four arrows, the entry arrow and the arrowhead.
        assert_eq!(s.matches("<path ").count(), 6);
        assert_eq!(s, svg(&w, "fr"));
    }

    #[test]
    fn escapes_text() {
        let mut w = publication();
        w.states[0].title = tr("A <b> & \"c\" 'd'");
        w.transitions[0].title = tr("x < y");
        let s = svg(&w, "en");
        assert!(
            s.contains("A &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;") && s.contains("x &lt; y")
        );
        assert!(!s.contains("<b>") && !s.contains("x < y") && balanced(&s));
    }

    #[test]
    fn draws_odd_shapes() {
        let mut w = publication();
        w.initial = "nowhere".into();
        w.states[1].title = Translated::default();
        w.transitions[0].from = vec!["published".into(), "ghost".into()];
        w.transitions[0].to = "published".into();
        w.transitions[2].from.push("private".into());
        let s = svg(&w, "en");
        assert!(s.contains(">pending</text>") && s.contains(">Submit</text>") && balanced(&s));
        w.states.clear();
        assert!(balanced(&svg(&w, "en")));
    }
}
