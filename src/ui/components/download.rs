//! Saving bytes as a file through the browser (a temporary object URL and a click).

use wasm_bindgen::JsCast;

/// Offers `bytes` for download as `name` with the given MIME type.
pub fn bytes(name: &str, mime: &str, bytes: &[u8]) {
    let arr = js_sys::Array::new();
    arr.push(&js_sys::Uint8Array::from(bytes).into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&arr, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    url_as(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers a blob (built in parts, perhaps larger than the page's memory) for download as `name`.
pub fn blob(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    url_as(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers a URL (object or data URL) for download as `name`.
pub fn url_as(name: &str, url: &str) {
    let doc = gloo::utils::document();
    let Ok(el) = doc.create_element("a") else {
        return;
    };
    let Ok(a) = el.dyn_into::<web_sys::HtmlAnchorElement>() else {
        return;
    };
    a.set_href(url);
    a.set_download(name);
    let _ = a.set_attribute("data-testid", "download-link");
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
}
