// On every page: the calculators' page side (calculator-engine.js, with its worker) is loaded
// only once a page with a calculator is shown, the first one or one reached by instant
// navigation; articles without a calculator load nothing more than this. Calculator pages
// preload the engine module and start the worker from their head (overrides/main.html).

import { onEveryPage } from "./every-page.js";

let engineModule = null;

function attachCalculators() {
  if (engineModule === null) {
    if (!document.querySelector("[data-calculator]")) return;
    engineModule = import("./calculator-engine.js");
    engineModule.catch((error) => console.warn(`Calculators: ${error}`)); // published results stay
  }
  engineModule.then((engine) => engine.attachAll(), () => {});
}

onEveryPage(attachCalculators);
