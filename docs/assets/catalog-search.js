/*
 * Catalog search: the header box on every page and the results page.
 *
 * The index is built once at build time by lunr.py (site_builder/search) and
 * loaded here, never rebuilt. The engine below is the twin of
 * site_builder/search/analysis.py and query.py: same folding, same word
 * splitting, same stop words, same stemmer (lunr.js's), same clauses and the
 * same ranking, so the browser and `python -m site_builder search` agree
 * (tests/test_search_parity.py runs both). Paper text is always inserted as
 * text nodes, never as HTML.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.CatalogSearch = factory(root.lunr);
  }
})(typeof self !== "undefined" ? self : this, function (lunr) {
  "use strict";

  var EXACT_BOOST = 10;
  var PREFIX_BOOST = 2;
  var TYPO_BOOST = 1;
  var TYPO_MIN_LENGTH = 5;
  var PREFIX_MIN_LENGTH = 2;
  var MAX_CORRECTIONS = 8;
  var PAGE_PREFIX = "page:";
  var NOT_WORD = /[^\p{L}\p{N}]+/u;
  var MARKS = /\p{M}/gu;
  var NEGATED = /(?:^|\s)-(\S+)/g;

  function createEngine(payload) {
    var table = payload.fold;
    var special = new RegExp("[" + Object.keys(table).join("") + "]", "g");

    function fold(text) {
      return text.toLowerCase().normalize("NFKD").replace(MARKS, "").replace(special, function (ch) {
        return table[ch];
      });
    }

    function words(text) {
      return fold(text).split(NOT_WORD).filter(Boolean);
    }

    function isStopWord(word) {
      return lunr.stopWordFilter(new lunr.Token(word)) === undefined;
    }

    function stem(word) {
      return lunr.stemmer(new lunr.Token(word)).toString();
    }

    lunr.Pipeline.registerFunction(function (token) {
      return token.update(function (text) { return fold(text); });
    }, "fold-diacritics");

    // Titles/tags/authors first; the abstracts' index joins when its file is in.
    var indexes = [lunr.Index.load(payload.index)];
    var vocabulary = lunr.TokenSet.fromArray(payload.words);

    function addBody(bodyPayload) {
      if (indexes.length === 1) indexes.push(lunr.Index.load(bodyPayload.index));
    }

    function unique(list) {
      return list.filter(function (item, position) { return list.indexOf(item) === position; });
    }

    function parseQuery(text) {
      var excluded = [];
      var positive = text.replace(NEGATED, function (match, word) {
        excluded.push.apply(excluded, words(word));
        return " ";
      });
      var typed = words(positive);
      var wanted = typed.filter(function (word) { return !isStopWord(word); });
      var endsMidWord = positive.length > 0 && !/\s/.test(positive.charAt(positive.length - 1));
      var last = typed.length ? typed[typed.length - 1] : null;
      var beingTyped = endsMidWord && last !== null && wanted.indexOf(last) !== -1 ? last : null;
      return {
        words: unique(wanted),
        excluded: unique(excluded),
        prefixWord: beingTyped && beingTyped.length >= PREFIX_MIN_LENGTH ? beingTyped : null
      };
    }

    var correctionCache = Object.create(null);  // each keystroke asks again for the same words

    function corrections(word) {
      if (word.length < TYPO_MIN_LENGTH) return [];
      if (!(word in correctionCache)) {
        correctionCache[word] = vocabulary.intersect(lunr.TokenSet.fromFuzzyString(word, 1)).toArray()
          .filter(function (candidate) { return candidate !== word; })
          .sort()
          .slice(0, MAX_CORRECTIONS);
      }
      return correctionCache[word];
    }

    function runQuery(text) {
      var parsed = parseQuery(text);
      if (!parsed.words.length) return { parsed: parsed, results: [] };

      // A document's score is the sum of its scores in each index, in order.
      function scores(wordList, exactOnly) {
        var found = Object.create(null);
        var order = [];
        indexes.forEach(function (index) {
          index.query(function (query) {
            wordList.forEach(function (word) {
              query.term(word, exactOnly ? { usePipeline: true } : { boost: EXACT_BOOST, usePipeline: true });
              if (exactOnly) return;
              corrections(word).forEach(function (corrected) {
                query.term(corrected, { boost: TYPO_BOOST, usePipeline: true });
              });
              if (word === parsed.prefixWord) {
                unique([word, stem(word)]).forEach(function (start) {
                  query.term(start, { boost: PREFIX_BOOST, usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING });
                });
              }
            });
          }).forEach(function (result) {
            if (!(result.ref in found)) { found[result.ref] = 0; order.push(result.ref); }
            found[result.ref] += result.score;
          });
        });
        return { scores: found, refs: order };
      }

      var all = scores(parsed.words, false);
      var keep = all.refs;
      if (parsed.words.length > 1) {
        var inAll = null;
        parsed.words.forEach(function (word) {
          var refs = scores([word], false).scores;
          inAll = inAll === null ? refs : keep.reduce(function (kept, ref) {
            if (ref in inAll && ref in refs) kept[ref] = true;
            return kept;
          }, Object.create(null));
        });
        var inEvery = keep.filter(function (ref) { return ref in inAll; });
        if (inEvery.length) keep = inEvery;
      }
      if (parsed.excluded.length) {
        var excluded = scores(parsed.excluded, true).scores;
        keep = keep.filter(function (ref) { return !(ref in excluded); });
      }
      var ranked = keep.map(function (ref) { return [ref, all.scores[ref]]; });
      ranked.sort(function (a, b) { return b[1] - a[1] || Number(a[0]) - Number(b[0]); });
      return { parsed: parsed, results: ranked };
    }

    /* Papers live at papers/<id>.html, hand-written pages ("page:<path>") at <path>.html. */
    function urlFor(id) {
      return id.indexOf(PAGE_PREFIX) === 0 ? id.slice(PAGE_PREFIX.length) + ".html" : "papers/" + id + ".html";
    }

    /* Results as {id, url, title, year, tags, snippet, score}, best first. */
    function search(text, limit) {
      var answer = runQuery(text);
      var hits = answer.results.slice(0, limit === undefined ? answer.results.length : limit).map(function (pair) {
        var row = payload.docs[Number(pair[0])];
        return { id: row[0], url: urlFor(row[0]), title: row[1], year: row[2], tags: row[3], snippet: row[4], score: pair[1] };
      });
      hits.parsed = answer.parsed;
      hits.total = answer.results.length;
      return hits;
    }

    /* Does a word of the page text match the query (for highlighting)? */
    function matcher(parsed) {
      var stems = {};
      var exact = {};
      parsed.words.forEach(function (word) {
        stems[stem(word)] = true;
        exact[word] = true;
        corrections(word).forEach(function (corrected) { exact[corrected] = true; });
      });
      return function (textWord) {
        var folded = fold(textWord);
        if (exact[folded] || stems[stem(folded)]) return true;
        return parsed.prefixWord !== null && folded.indexOf(parsed.prefixWord) === 0;
      };
    }

    return {
      search: search, words: words, fold: fold, matcher: matcher, parseQuery: parseQuery, addBody: addBody,
      hasBody: function () { return indexes.length > 1; }
    };
  }

  var api = { createEngine: createEngine };
  if (typeof document === "undefined") return api;

  /* ---------------------------------------------------------------- UI -- */

  var DROPDOWN_SIZE = 8;
  var PAGE_SIZE = 50;
  var engine = null;
  var loading = null;
  var waiting = [];
  var bodyListeners = [];

  function config() {
    var box = document.querySelector("[data-catalog-search]");
    if (!box) return null;
    return {
      box: box,
      index: box.getAttribute("data-index"),
      bodyIndex: box.getAttribute("data-body-index"),
      root: box.getAttribute("data-root")
    };
  }

  function loadScript(src, onload) {
    var script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = onload;
    script.onerror = function () {
      document.querySelectorAll("[data-catalog-search-status]").forEach(function (node) {
        node.textContent = "The search index could not be loaded.";
      });
    };
    document.head.appendChild(script);
  }

  /* Load the index files through <script> tags (works on file://), once:
     titles first (results show as soon as it is in), then the abstracts. */
  function whenReady(callback) {
    if (engine) { callback(engine); return; }
    waiting.push(callback);
    if (loading) return;
    var settings = config();
    var bodyArrived = false;
    loading = true;
    function joinBody() {
      engine.addBody(self.__catalogSearchBody);
      bodyListeners.forEach(function (fn) { fn(engine); });
    }
    // Both files download at once; the abstracts join the titles' engine.
    loadScript(settings.index, function () {
      engine = createEngine(self.__catalogSearch);
      waiting.splice(0).forEach(function (fn) { fn(engine); });
      if (bodyArrived) joinBody();
    });
    loadScript(settings.bodyIndex, function () {
      bodyArrived = true;
      if (engine) joinBody();
    });
  }

  function whenBodyArrives(callback) {
    bodyListeners.push(callback);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* Append `text` to `parent`, wrapping query matches in <mark>. */
  function appendHighlighted(parent, text, isMatch) {
    var pattern = /[\p{L}\p{N}\p{M}]+/gu;
    var last = 0;
    var found;
    while ((found = pattern.exec(text)) !== null) {
      if (!isMatch(found[0])) continue;
      if (found.index > last) parent.appendChild(document.createTextNode(text.slice(last, found.index)));
      parent.appendChild(element("mark", null, found[0]));
      last = found.index + found[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function resultItem(hit, root, isMatch, tagName) {
    var item = element(tagName || "li", "catalog-result");
    var link = element("a", "catalog-result__link");
    link.href = root + "/" + hit.url;
    var title = element("span", "catalog-result__title");
    appendHighlighted(title, hit.title, isMatch);
    link.appendChild(title);
    var meta = [];
    if (hit.year) meta.push(String(hit.year));
    if (hit.tags.length) meta.push(hit.tags.join(", "));
    if (meta.length) link.appendChild(element("span", "catalog-result__meta", meta.join(" · ")));
    if (hit.snippet) {
      var snippet = element("span", "catalog-result__snippet");
      appendHighlighted(snippet, hit.snippet, isMatch);
      link.appendChild(snippet);
    }
    item.appendChild(link);
    return item;
  }

  function resultsPageUrl(root, query) {
    return root + "/search.html?q=" + encodeURIComponent(query);
  }

  function setUpHeaderBox() {
    var settings = config();
    if (!settings) return;
    var input = settings.box.querySelector("input");
    var dropdown = settings.box.querySelector(".catalog-search__dropdown");
    var active = -1;
    var timer = null;

    function items() { return dropdown.querySelectorAll(".catalog-result__link, .catalog-search__all"); }

    function close() {
      dropdown.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    /* Focus stays in the box; aria-activedescendant tells a screen reader which item is selected.
       Results are options of a listbox (aria-selected); "All results" is a plain link after it. */
    function highlight(position) {
      var links = items();
      if (!links.length) return;
      active = (position + links.length) % links.length;
      links.forEach(function (link, index) {
        link.classList.toggle("catalog-result--active", index === active);
        if (link.getAttribute("role") === "option") link.setAttribute("aria-selected", index === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", links[active].id);
      links[active].scrollIntoView({ block: "nearest" });
    }

    function render() {
      var query = input.value;
      dropdown.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!query.trim()) { close(); return; }
      dropdown.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (!engine) {
        dropdown.appendChild(element("p", "catalog-search__status", "Loading the search index…"))
          .setAttribute("data-catalog-search-status", "");
        whenReady(render);
        return;
      }
      var hits = engine.search(query, DROPDOWN_SIZE);
      var complete = engine.hasBody() || !hits.parsed.words.length;
      if (!hits.length) {
        var message = complete ? "No results for “" + query.trim() + "”." : "Searching the abstracts…";
        dropdown.appendChild(element("p", "catalog-search__status", message));
        return;
      }
      var isMatch = engine.matcher(hits.parsed);
      var list = element("ol", "catalog-search__list");
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Search results");
      hits.forEach(function (hit, position) {
        // The link itself is the option (an option must not contain a link: axe nested-interactive).
        var item = resultItem(hit, settings.root, isMatch);
        item.setAttribute("role", "none");
        var link = item.querySelector(".catalog-result__link");
        link.setAttribute("role", "option");
        link.setAttribute("aria-selected", "false");
        link.id = "catalog-search-option-" + position;
        list.appendChild(item);
      });
      dropdown.appendChild(list);
      if (!complete) {
        // Titles, tags and authors only so far: the abstracts' index refines this list when it is in.
        dropdown.appendChild(element("p", "catalog-search__status", "Searching the abstracts…"));
        return;
      }
      var all = element("a", "catalog-search__all", hits.total === 1 ? "Open the results page →" : "All " + hits.total + " results →");
      all.href = resultsPageUrl(settings.root, query);
      all.id = "catalog-search-all";
      dropdown.appendChild(all);
    }

    whenBodyArrives(function () { if (!dropdown.hidden && input.value.trim()) render(); });
    input.addEventListener("focus", function () {
      whenReady(function () { if (document.activeElement === input && input.value.trim()) render(); });
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 40);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active < 0 ? -1 : active - 1); }
      else if (event.key === "Escape") { event.preventDefault(); close(); input.blur(); }
      else if (event.key === "Enter") {
        event.preventDefault();
        var links = items();
        if (active >= 0 && links[active]) { location.href = links[active].href; }
        else if (input.value.trim()) { location.href = resultsPageUrl(settings.root, input.value); }
      }
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "/" || event.key === "s" || event.key === "S") {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
    document.addEventListener("click", function (event) {
      if (!settings.box.contains(event.target)) close();
    });
    // Idle time is a good moment to fetch the index before anyone types.
    if ("requestIdleCallback" in self) self.requestIdleCallback(function () { whenReady(function () {}); });
  }

  /* The results page (search.html): all results, filters, URL kept in sync. */
  function setUpResultsPage() {
    var page = document.getElementById("catalog-search-page");
    var settings = config();
    if (!page || !settings) return;
    var form = page.querySelector("form");
    var input = form.querySelector("input[name=q]");
    var fromYear = form.querySelector("input[name=from]");
    var toYear = form.querySelector("input[name=to]");
    var tagBox = page.querySelector(".catalog-filters__tags");
    var status = page.querySelector("[data-catalog-search-status]");
    var list = page.querySelector(".catalog-results");
    var more = page.querySelector(".catalog-results__more");
    var params = new URLSearchParams(location.search);
    var chosenTags = params.getAll("tag");
    var shown = PAGE_SIZE;
    input.value = params.get("q") || "";
    fromYear.value = params.get("from") || "";
    toYear.value = params.get("to") || "";

    function syncUrl() {
      var next = new URLSearchParams();
      if (input.value) next.set("q", input.value);
      chosenTags.forEach(function (tag) { next.append("tag", tag); });
      if (fromYear.value) next.set("from", fromYear.value);
      if (toYear.value) next.set("to", toYear.value);
      var query = next.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }

    function render() {
      list.textContent = "";
      tagBox.textContent = "";
      more.hidden = true;
      if (!input.value.trim()) { status.textContent = "Type words to search the catalog."; return; }
      var hits = engine.search(input.value);
      var from = parseInt(fromYear.value, 10);
      var to = parseInt(toYear.value, 10);
      var counts = {};
      var filtered = hits.filter(function (hit) {
        if (!isNaN(from) && !(hit.year >= from)) return false;
        if (!isNaN(to) && !(hit.year <= to)) return false;
        return chosenTags.every(function (tag) { return hit.tags.indexOf(tag) !== -1; });
      });
      filtered.forEach(function (hit) { hit.tags.forEach(function (tag) { counts[tag] = (counts[tag] || 0) + 1; }); });
      chosenTags.forEach(function (tag) { counts[tag] = counts[tag] || 0; });
      Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); })
        .forEach(function (tag) {
          var label = element("label", "catalog-filters__tag");
          var box = element("input");
          box.type = "checkbox";
          box.value = tag;
          box.checked = chosenTags.indexOf(tag) !== -1;
          box.addEventListener("change", function () {
            chosenTags = box.checked ? chosenTags.concat([tag])
              : chosenTags.filter(function (chosen) { return chosen !== tag; });
            shown = PAGE_SIZE;
            update();
          });
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + tag + " (" + counts[tag] + ")"));
          tagBox.appendChild(label);
        });
      status.textContent = !engine.hasBody() ? "Searching the abstracts…"
        : filtered.length === 1 ? "1 result" : filtered.length + " results";
      var isMatch = engine.matcher(hits.parsed);
      filtered.slice(0, shown).forEach(function (hit) { list.appendChild(resultItem(hit, settings.root, isMatch)); });
      more.hidden = filtered.length <= shown;
    }

    function update() {
      syncUrl();
      if (engine) render();
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); shown = PAGE_SIZE; update(); });
    [input, fromYear, toYear].forEach(function (field) {
      field.addEventListener("input", function () { shown = PAGE_SIZE; update(); });
    });
    more.addEventListener("click", function () { shown += PAGE_SIZE; render(); });
    status.textContent = "Loading the search index…";
    whenReady(function () { render(); });
    whenBodyArrives(function () { render(); });
  }

  function start() {
    setUpHeaderBox();
    setUpResultsPage();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  return api;
});
