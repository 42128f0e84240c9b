// Runs queries through the built site's own search engine and index, as the search box does.
// Reads {"site": SITE_DIR, "queries": [...]} on standard input; writes, for each query, its
// results (pages best first, with their best sections) and, when there are none, the closest
// topics, as JSON on standard output. Used by tests/test_search_quality.py and `make search-report`.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const { site, queries } = JSON.parse(readFileSync(0, "utf8"));
const engine = await import(pathToFileURL(join(site, "assets/javascripts/search-engine.mjs")).href);
const index = engine.loadIndex(JSON.parse(readFileSync(join(site, "search/kb-search.json"), "utf8")));
const answers = queries.map((query) => {
  const results = engine.search(index, query);
  return {
    query,
    results,
    alternatives: engine.alternativeNames(index, query),
    closest: results.length ? [] : engine.closestTopics(index, query),
  };
});
process.stdout.write(JSON.stringify(answers));
