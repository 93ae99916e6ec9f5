import { fill, formatTime, h, safeLink } from "../dom";
import type { DashboardState } from "../state";

/** TGE detections, newest first, one per event. */
export function renderDetections(container: Element, state: DashboardState): void {
  if (state.detections.length === 0) {
    fill(container, h("p", { class: "empty" }, "No TGE detected yet."));
    return;
  }
  fill(
    container,
    h(
      "ul",
      { class: "feed" },
      state.detections.map((detection) =>
        h(
          "li",
          { "data-detection-id": detection.detectionId },
          h("strong", {}, detection.project.name, detection.project.symbol ? ` (${detection.project.symbol})` : ""),
          h("span", { class: "score", title: "detection score" }, detection.score.toFixed(2)),
          h("p", {}, safeLink(detection.url, detection.headline)),
          h("small", {}, `${detection.source} · ${formatTime(detection.detectedAt)}`),
        ),
      ),
    ),
  );
}
