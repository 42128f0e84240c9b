// Serializes the search index at build time (called by tools/search_index.py): reads the documents,
// synonym groups and topics as JSON on standard input and writes the index built by the engine
// the browser runs (the built site's search-engine.mjs) to the given file.
//
// usage: node tools/search_index.mjs SITE/assets/javascripts/search-engine.mjs SITE/search/kb-search.json

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [enginePath, targetPath] = process.argv.slice(2);
const { buildIndex } = await import(pathToFileURL(enginePath).href);
const source = JSON.parse(readFileSync(0, "utf8"));
writeFileSync(targetPath, JSON.stringify(buildIndex(source)));
