// The search engine: one tokenizer, one set of stop words, one stemmer and one ranking, shared by
// the search box (search.js, in the browser), the index build (tools/search_index.mjs, in Node,
// at build time) and the search-quality test (tests/search_runner.mjs). What the test measures is
// what readers get.
//
// The index holds one document per article section (a section runs from one heading to the
// next): its page's title, its heading and its text (tools/search_index.py reads them from the built
// pages). Ranking is MiniSearch's BM25 with the title weighted above the heading and the heading
// above the text; a word matched through a typo or as a prefix of a longer word counts for less
// than the word itself; the more of the query's words a section holds, the higher it ranks.
// Synonyms (the glossary's "also known as", the catalogue's own names, mkdocs.yml
// extra.search_synonyms) widen the query: a query using one name of a thing also looks for its
// other names, which count for less than the reader's own words.

import MiniSearch from "./minisearch.mjs";

export const INDEX_FORMAT = "kb-search-index/1";

// Words that say nothing about a topic: customers write "how do I ..." and "my ...", and a match
// on them would rank every page. "I" in particular must never match "ID".
export const STOP_WORDS = new Set(
  (
    "a about am an and are as at be been being but by can could did do does doing done for from " +
    "had happen happened happening happens has have having he her hers him his how i if in into is it its me my myself of on or " +
    "our ours please she should so than that the their theirs them then there these they this " +
    "those to us was we were what when where which while who whom why will with would you your " +
    "yours"
  ).split(" "),
);

const FIELDS = ["title", "heading", "text"];
const STORED = ["page", "location", "title", "heading", "number", "excerpt"];
// A title match outranks a heading match, which outranks a match in the text.
const BOOST = { title: 5, heading: 2.5, text: 1 };
// A typo or prefix match counts for this share of an exact match (further cut by distance).
const WEIGHTS = { fuzzy: 0.35, prefix: 0.45 };
// Another name of a thing the reader named counts for this share of the reader's own word.
const SYNONYM_WEIGHT = 0.6;
const MAX_SECTIONS_PER_PAGE = 3;
const WHOLE_WORDS = { parts: false };

// ---- words -------------------------------------------------------------------------------------

function fold(text) {
  return String(text)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[\u2019']/g, "");
}

// Words are letters and digits; a hyphenated word is indexed joined ("add-on" is "addon") and
// by its parts. Synonyms are matched on whole words only (parts: false).
export function tokenize(text, { parts = true } = {}) {
  const tokens = [];
  for (const word of fold(text).split(/[^\p{L}\p{N}-]+/u)) {
    const pieces = word.split("-").filter(Boolean);
    if (pieces.length > 1) tokens.push(pieces.join(""));
    if (parts || pieces.length === 1) tokens.push(...pieces);
  }
  return tokens;
}

const KEEP_FINAL_S = /(?:ss|us|is)$/;

// A light English stemmer: the plain inflections of a word share one stem ("downgrade",
// "downgrades", "downgraded", "downgrading" all become "downgrad"; "bill" and "billing" "bil").
export function stem(word) {
  let stemmed = word;
  if (stemmed.length > 4 && stemmed.endsWith("ies")) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.length > 5 && stemmed.endsWith("ing")) stemmed = stemmed.slice(0, -3);
  else if (stemmed.length > 4 && stemmed.endsWith("ed")) stemmed = stemmed.slice(0, -2);
  else if (stemmed.length > 3 && stemmed.endsWith("s") && !KEEP_FINAL_S.test(stemmed)) {
    stemmed = stemmed.slice(0, -1);
  }
  if (stemmed.length > 3 && stemmed.endsWith("e")) stemmed = stemmed.slice(0, -1);
  if (/([b-df-hj-np-rtv-z])\1$/.test(stemmed) && !stemmed.endsWith("ss")) {
    stemmed = stemmed.slice(0, -1);
  }
  return stemmed;
}

export function processTerm(term) {
  if (!term || STOP_WORDS.has(term)) return null;
  return stem(term);
}

// The words of a text that search looks for, as the index holds them.
export function searchTerms(text, { parts = true } = {}) {
  return tokenize(text, { parts }).map(processTerm).filter(Boolean);
}

// One or two typos per word: none in words of up to three letters, one up to five, two beyond;
// only for words the site does not use (a word spelled as the site spells it needs no
// correction, and correcting it anyway finds look-alikes: "backup" is not "back").
function typosAllowed(vocabulary) {
  return (term) => {
    if (term.length <= 3 || vocabulary.has(term)) return false;
    return term.length <= 5 ? 1 : 2;
  };
}

// The last word may be unfinished: it also matches the words it begins.
function prefixAllowed(term, position, terms) {
  return position === terms.length - 1 && term.length >= 3;
}

const OPTIONS = {
  fields: FIELDS,
  storeFields: STORED,
  idField: "id",
  tokenize,
  processTerm,
  searchOptions: {
    boost: BOOST,
    weights: WEIGHTS,
    prefix: prefixAllowed,
    combineWith: "OR",
  },
};

// ---- the index ---------------------------------------------------------------------------------

// The serialized index written at build time: the sections' index, the synonym groups and the
// site's sections (the closest topics when nothing matches).
export function buildIndex(source) {
  const engine = new MiniSearch(OPTIONS);
  engine.addAll(source.documents);
  return {
    format: INDEX_FORMAT,
    index: engine.toJSON(),
    synonyms: source.synonyms,
    topics: source.topics,
  };
}

export function loadIndex(data) {
  if (!data || data.format !== INDEX_FORMAT) throw new Error("search index: unknown format");
  return {
    engine: MiniSearch.loadJSON(JSON.stringify(data.index), OPTIONS),
    // the words the site uses (serialization format 2 lists the index as [term, data] pairs)
    vocabulary: new Set(data.index.index.map(([term]) => term)),
    synonyms: data.synonyms.map((group) =>
      group.map((phrase) => ({ phrase, terms: searchTerms(phrase, WHOLE_WORDS) })),
    ),
    topics: data.topics,
  };
}

// ---- searching ---------------------------------------------------------------------------------

function containsRun(terms, run) {
  if (run.length === 0 || run.length > terms.length) return false;
  for (let start = 0; start + run.length <= terms.length; start += 1) {
    if (run.every((term, offset) => terms[start + offset] === term)) return true;
  }
  return false;
}

// The other names of every thing the query names.
export function alternativeNames(index, query) {
  const terms = searchTerms(query, WHOLE_WORDS);
  const names = [];
  for (const group of index.synonyms) {
    if (!group.some((name) => containsRun(terms, name.terms))) continue;
    for (const name of group) {
      if (name.terms.length && !containsRun(terms, name.terms) && !names.includes(name.phrase)) {
        names.push(name.phrase);
      }
    }
  }
  return names;
}

function rawResults(index, query) {
  const names = alternativeNames(index, query);
  const expression = names.length
    ? {
        combineWith: "OR",
        queries: [query, { combineWith: "OR", queries: names, boostTerm: () => SYNONYM_WEIGHT }],
      }
    : query;
  return index.engine.search(expression, { fuzzy: typosAllowed(index.vocabulary) });
}

// Pages, best first, each with its best-matching sections: { page, title, number, score,
// sections: [{ location, heading, excerpt, score }] }.
export function search(index, query) {
  if (searchTerms(query).length === 0) return [];
  const pages = new Map();
  for (const hit of rawResults(index, query)) {
    let page = pages.get(hit.page);
    if (!page) {
      page = { page: hit.page, title: hit.title, number: hit.number, score: hit.score, sections: [] };
      pages.set(hit.page, page);
    }
    if (page.sections.length < MAX_SECTIONS_PER_PAGE) {
      page.sections.push({
        location: hit.location,
        heading: hit.heading,
        excerpt: hit.excerpt,
        score: hit.score,
      });
    }
  }
  return Array.from(pages.values());
}

// When nothing matches: pages sharing any word of the query with up to three typos or as a
// prefix, else the site's sections.
export function closestTopics(index, query, limit = 5) {
  const terms = searchTerms(query);
  if (terms.length) {
    const loose = index.engine.search(query, {
      fuzzy: (term) => (term.length <= 3 ? false : Math.min(3, Math.ceil(term.length / 3))),
      prefix: (term) => term.length >= 2,
    });
    const pages = [];
    for (const hit of loose) {
      if (!pages.some((page) => page.page === hit.page)) {
        pages.push({ page: hit.page, title: hit.title, number: hit.number });
      }
    }
    if (pages.length) return pages.slice(0, limit);
  }
  return index.topics; // every section of the site
}
