// The explorer: each .mf-vega element embeds its Vega-Lite spec with the vendored vega-embed; once a chart
// is drawn its static SVG fallback is hidden (without scripts, or if embedding fails, the SVG stays).
for (const element of document.querySelectorAll(".mf-vega[data-spec]")) {
  const fallback = element.parentElement.querySelector(".mf-chart-fallback");
  vegaEmbed(element, element.dataset.spec, {
    renderer: "svg", actions: false, loader: { target: "_self" },
    tooltip: { theme: "light" },
  }).then(() => {
    if (fallback) fallback.hidden = true;
    element.dataset.ready = "true";
  }).catch((error) => {
    element.textContent = "The interactive chart could not be drawn: " + error.message;
  });
}
