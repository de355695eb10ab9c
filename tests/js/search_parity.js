// Runs queries through lunr.js 2.3.9 and docs/assets/catalog-search.js (the
// code the site runs), for tests/test_search_parity.py. Usage:
//   NODE_PATH=<folder with node_modules/lunr> node search_parity.js REQUEST.json
// REQUEST: {"index_file", "body_index_file", "engine_file", "queries": [...], "words": [...], "texts": [...]}
"use strict";
const fs = require("fs");
const lunr = require("lunr");

const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const window = {};
for (const file of [request.index_file, request.body_index_file]) {
  new Function("window", fs.readFileSync(file, "utf8"))(window);
}
const factory = require(request.engine_file);
const engine = factory(lunr).createEngine(window.__catalogSearch);
engine.addBody(window.__catalogSearchBody);

const answer = {
  lunr_version: lunr.version,
  results: request.queries.map((query) =>
    engine.search(query, 10).map((hit) => ({ id: hit.id, score: hit.score }))
  ),
  stems: request.words.map((word) => lunr.stemmer(new lunr.Token(word)).toString()),
  words: request.texts.map((text) => engine.words(text)),
  stop: request.words.map((word) => lunr.stopWordFilter(new lunr.Token(word)) === undefined),
};
process.stdout.write(JSON.stringify(answer));
