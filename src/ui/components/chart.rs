//! A chart card: the SVG inline, with buttons to export it as SVG or PNG.

use crate::ui::charts::Chart;
use base64::Engine as _;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Props of [`ChartCard`].
#[derive(Properties, PartialEq)]
pub struct ChartCardProps {
    /// The chart.
    pub chart: Rc<Chart>,
    /// Test id of the card.
    #[prop_or_default]
    pub testid: AttrValue,
    /// Explanation under the chart.
    #[prop_or_default]
    pub note: Option<AttrValue>,
}

fn export_png(svg: &str, name: String) {
    let data = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg.as_bytes())
    );
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let img2 = img.clone();
    let onload = Closure::once(move || {
        let doc = gloo::utils::document();
        let Ok(el) = doc.create_element("canvas") else {
            return;
        };
        let Ok(canvas) = el.dyn_into::<web_sys::HtmlCanvasElement>() else {
            return;
        };
        let scale = 2u32;
        canvas.set_width(img2.natural_width() * scale);
        canvas.set_height(img2.natural_height() * scale);
        let Ok(Some(ctx)) = canvas.get_context("2d") else {
            return;
        };
        let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else {
            return;
        };
        let _ = ctx.scale(f64::from(scale), f64::from(scale));
        let _ = ctx.draw_image_with_html_image_element(&img2, 0.0, 0.0);
        if let Ok(url) = canvas.to_data_url_with_type("image/png") {
            super::download::url_as(&name, &url);
        }
    });
    img.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    img.set_src(&data);
}

/// A chart with SVG and PNG export.
#[component]
pub fn ChartCard(p: &ChartCardProps) -> Html {
    let svg = use_memo(p.chart.clone(), |c| c.to_svg());
    let stem = p.chart.file_stem();
    let on_svg = {
        let (svg, stem) = (svg.clone(), stem.clone());
        Callback::from(move |_| {
            super::download::bytes(&format!("{stem}.svg"), "image/svg+xml", svg.as_bytes())
        })
    };
    let on_png = {
        let (svg, stem) = (svg.clone(), stem.clone());
        Callback::from(move |_| export_png(&svg, format!("{stem}.png")))
    };
    html! {
        <div class="card chart-card" data-testid={p.testid.clone()}>
            <figure>
                <figcaption>
                    <span>{ &p.chart.title }</span>
                    <span class="row">
                        <button class="secondary" onclick={on_svg} aria-label={format!("Download {} as SVG", p.chart.title)} data-testid="export-svg">{ "SVG" }</button>
                        <button class="secondary" onclick={on_png} aria-label={format!("Download {} as PNG", p.chart.title)} data-testid="export-png">{ "PNG" }</button>
                    </span>
                </figcaption>
                { Html::from_html_unchecked(AttrValue::from((*svg).clone())) }
            </figure>
            if let Some(n) = &p.note { <p class="note">{ n }</p> }
        </div>
    }
}
