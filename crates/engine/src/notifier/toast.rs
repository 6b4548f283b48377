//! A notification as a Windows toast (the `ToastGeneric` XML schema). A pure function, so the
//! XML is tested on every system while the toast itself only shows on Windows.

use quick_xml::escape::escape;

use super::backend::Note;

/// Windows shows at most five buttons on a toast.
const MAX_BUTTONS: usize = 5;

/// The toast for `note`. Its texts are plain: each is escaped here for XML, so a title from
/// Sentry cannot add elements or attributes. Clicking the body activates with the arguments
/// `default`, a button with its key.
pub fn xml(note: &Note<'_>) -> String {
    let buttons: Vec<_> = note.buttons().take(MAX_BUTTONS).collect();
    // Until acted on: Windows keeps a "reminder" toast on screen, and only with a button.
    let reminder = note.expires.is_none() && !buttons.is_empty();
    let mut toast = String::from(r#"<toast launch="default""#);
    if reminder {
        toast.push_str(r#" scenario="reminder""#);
    } else if note.expires.is_some_and(|after| after.as_secs() > 7) {
        toast.push_str(r#" duration="long""#);
    }
    toast.push('>');
    toast.push_str(r#"<visual><binding template="ToastGeneric">"#);
    toast.push_str(&format!(r#"<text hint-maxLines="2">{}</text>"#, escape(note.summary)));
    if !note.body.is_empty() {
        toast.push_str(&format!("<text>{}</text>", escape(note.body)));
    }
    toast.push_str("</binding></visual>");
    if !buttons.is_empty() {
        toast.push_str("<actions>");
        for (key, label) in buttons {
            toast.push_str(&format!(
                r#"<action content="{}" arguments="{}" activationType="foreground"/>"#,
                escape(*label),
                escape(*key)
            ));
        }
        toast.push_str("</actions>");
    }
    if note.sound.is_some() {
        toast.push_str(r#"<audio src="ms-winsoundevent:Notification.Looping.Alarm" loop="false"/>"#);
    } else {
        toast.push_str(r#"<audio silent="true"/>"#);
    }
    toast.push_str("</toast>");
    toast
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::*;
    use crate::notifier::backend::Urgency;

    fn note<'a>(summary: &'a str, body: &'a str, actions: &'a [(&'a str, &'a str)]) -> Note<'a> {
        Note {
            replaces: None,
            summary,
            body,
            icon: "dialog-warning",
            urgency: Urgency::Normal,
            expires: Some(Duration::from_secs(10)),
            category: None,
            sound: None,
            actions,
        }
    }

    /// What a toast shows: its texts, its buttons (label, arguments) and its toast attributes,
    /// read by an XML parser as Windows reads them.
    #[derive(Debug, Default)]
    struct Shown {
        texts: Vec<String>,
        buttons: Vec<(String, String)>,
        toast: Vec<(String, String)>,
        elements: Vec<String>,
    }

    fn read(xml: &str) -> Shown {
        let mut reader = Reader::from_str(xml);
        let mut shown = Shown::default();
        // A text's raw XML (entities as written), unescaped at its end.
        let mut text: Option<String> = None;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.name().as_ref().to_owned();
                    let attrs: Vec<(String, String)> = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            let key = a.key.as_ref().to_owned();
                            (
                                key,
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    let attr = |k: &str| attrs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
                    match name.as_str() {
                        "text" => text = Some(String::new()),
                        "action" => shown
                            .buttons
                            .push((attr("content").unwrap(), attr("arguments").unwrap())),
                        "toast" => shown.toast = attrs.clone(),
                        _ => {}
                    }
                    shown.elements.push(name);
                }
                Event::Text(t) => {
                    if let Some(text) = &mut text {
                        text.push_str(&t);
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(text) = &mut text {
                        text.push_str(&format!("&{};", &*r));
                    }
                }
                Event::End(e) if e.name().as_ref() == "text" => {
                    let raw = text.take().unwrap();
                    shown
                        .texts
                        .push(quick_xml::escape::unescape(&raw).unwrap().into_owned());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        shown
    }

    #[test]
    fn a_hostile_title_stays_text_and_adds_no_button() {
        let title = r#"x</text></binding></visual><actions><action content="Re-login" arguments="https://evil"/></actions><text a="&amp;"#;
        let actions = [("default", "View"), ("resolve", "Resolve")];
        let shown = read(&xml(&note(title, "body with <b>tags</b> & \"quotes\"", &actions)));
        assert_eq!(
            shown.texts,
            vec![title.to_owned(), r#"body with <b>tags</b> & "quotes""#.to_owned()]
        );
        assert_eq!(shown.buttons, vec![("Resolve".to_owned(), "resolve".to_owned())]);
        assert_eq!(shown.elements.iter().filter(|e| *e == "action").count(), 1);
    }

    #[test]
    fn buttons_carry_their_keys_and_the_body_click_is_default() {
        let actions = [
            ("default", "View"),
            ("resolve", "Resolve"),
            ("ignore", "Ignore"),
            ("assign", "Assign to me"),
            ("open", "Open in Sentry"),
        ];
        let shown = read(&xml(&note("New issue in web: TypeError", "", &actions)));
        assert_eq!(
            shown.buttons.iter().map(|(_, key)| key.as_str()).collect::<Vec<_>>(),
            ["resolve", "ignore", "assign", "open"]
        );
        assert!(shown.toast.contains(&("launch".to_owned(), "default".to_owned())));
        assert_eq!(shown.texts, ["New issue in web: TypeError"], "no empty second line");
    }

    #[test]
    fn an_alert_that_stays_until_acted_on_is_a_reminder_and_others_expire() {
        let actions = [("default", "View"), ("resolve", "Resolve")];
        let mut critical = note("Fatal", "", &actions);
        critical.expires = None;
        critical.urgency = Urgency::Critical;
        critical.sound = Some("dialog-warning");
        let xml_critical = xml(&critical);
        assert!(
            read(&xml_critical)
                .toast
                .contains(&("scenario".to_owned(), "reminder".to_owned()))
        );
        assert!(
            xml_critical.contains("Notification.Looping.Alarm"),
            "urgent ones may sound"
        );

        let warning = read(&xml(&note("Warning", "", &actions)));
        assert!(!warning.toast.iter().any(|(k, _)| k == "scenario"));
        assert!(warning.toast.contains(&("duration".to_owned(), "long".to_owned())));
        assert!(xml(&note("Warning", "", &actions)).contains(r#"<audio silent="true"/>"#));
    }

    #[test]
    fn at_most_five_buttons() {
        let actions: Vec<(&str, &str)> = ["a", "b", "c", "d", "e", "f", "g"].iter().map(|k| (*k, *k)).collect();
        assert_eq!(read(&xml(&note("Many", "", &actions))).buttons.len(), 5);
    }
}
