//! Several tabs of the app on one browser's storage. The first tab to start sweeps pieces left
//! by interrupted writes only when no other tab is open (a Web Lock every tab holds shared,
//! taken exclusively with `ifAvailable`), so it never deletes the chunks another tab is still
//! writing; and a tab whose dataset list changed tells the others (a `BroadcastChannel`), which
//! read their list again and say so.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const TABS_LOCK: &str = "crm-storage";
const CHANNEL: &str = "crm-storage";

fn locks() -> Option<(JsValue, Function)> {
    let nav = web_sys::window()?.navigator();
    let locks = Reflect::get(&nav, &"locks".into()).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some((locks, request))
}

fn deferred() -> Option<(Promise, Function)> {
    let mut f = None;
    let p = Promise::new(&mut |res, _| f = Some(res));
    Some((p, f?))
}

/// Runs `work` when this is the only open tab of the app (always, when the browser has no Web
/// Locks), then marks this tab as open for as long as it lives. Returns whether `work` ran.
pub async fn when_alone<F: std::future::Future<Output = ()>>(work: F) -> bool {
    let Some((locks, request)) = locks() else {
        work.await;
        return true;
    };
    let ran = async {
        let (got, said) = deferred()?;
        let (hold, release) = deferred()?;
        let opts = Object::new();
        Reflect::set(&opts, &"ifAvailable".into(), &JsValue::TRUE).ok()?;
        let cb = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            let granted = !lock.is_null() && !lock.is_undefined();
            let _ = said.call1(&JsValue::NULL, &JsValue::from_bool(granted));
            if granted {
                hold.into()
            } else {
                JsValue::UNDEFINED
            }
        });
        let _ = request.call3(&locks, &TABS_LOCK.into(), &opts, &cb).ok()?;
        let granted = JsFuture::from(got).await.ok()?.as_bool() == Some(true);
        if granted {
            work.await;
        }
        let _ = release.call0(&JsValue::NULL);
        Some(granted)
    }
    .await
    .unwrap_or(false);
    // Held shared until the tab closes: another tab starting now sees it is not alone.
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"mode".into(), &"shared".into());
    let forever =
        Closure::once_into_js(|_: JsValue| -> JsValue { Promise::new(&mut |_, _| {}).into() });
    let _ = request.call3(&locks, &TABS_LOCK.into(), &opts, &forever);
    ran
}

/// The channel the tabs of the app talk on, with this tab's listener.
pub struct Channel {
    channel: web_sys::BroadcastChannel,
    _listener: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Channel {
    /// Listens for other tabs' "the dataset list changed" notices; `None` when the browser
    /// has no `BroadcastChannel`.
    pub fn listen(mut on_changed: impl FnMut() + 'static) -> Option<Channel> {
        let channel = web_sys::BroadcastChannel::new(CHANNEL).ok()?;
        let listener: Closure<dyn FnMut(web_sys::MessageEvent)> =
            Closure::new(move |e: web_sys::MessageEvent| {
                if e.data().as_string().as_deref() == Some("datasets-changed") {
                    on_changed();
                }
            });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Channel {
            channel,
            _listener: listener,
        })
    }

    /// Tells the other tabs this tab changed the dataset list.
    pub fn datasets_changed(&self) {
        let _ = self.channel.post_message(&"datasets-changed".into());
    }
}
