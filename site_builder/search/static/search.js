/* Zuofang site search: reads the static index under /search/index/ (built by
   site_builder/search/index.py, which documents the format) and lists EXACT matches, meta.page
   (20) at a time: 显示更多 Show more fetches the record files of the next ones only.
   No dependencies, nothing from another host; names are set with textContent only. */
(function () {
  "use strict";
  var ROOT = "/search/index/";
  var KINDS = { b: "品牌 Brand", p: "产品 Product", w: "主体 Business" };

  function normalize(s) { return (s || "").normalize("NFKC").toLowerCase(); }
  function terms(q) { return normalize(q).split(/\s+/).filter(Boolean); }

  function fnv1a(gram) {
    var h = 0x811c9dc5;
    Array.from(gram).forEach(function (ch) { h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0; });
    return h;
  }

  function cover(term) {
    var cs = Array.from(term), out = [], o;
    if (cs.length === 1) return [[term, 0]];
    for (o = 0; o + 1 < cs.length; o += 2) out.push([cs[o] + cs[o + 1], o]);
    if (cs.length % 2) out.push([cs[cs.length - 2] + cs[cs.length - 1], cs.length - 2]);
    return out;
  }

  /* The file of a gram stored alone (index.solo_name): its code points in hex. */
  function soloName(gram) {
    return "g/s/" + Array.from(gram).map(function (ch) { return ch.codePointAt(0).toString(16); }).join("-") + ".json";
  }

  /* The same algorithm as index.match_ids; `load(path)` returns a Promise of parsed JSON. */
  function Index(meta, load) {
    var files = {};
    function file(path) {
      if (!files[path]) files[path] = load(path + "?v=" + meta.version);
      return files[path];
    }
    this.meta = meta;
    this.positions = function (gram) {
      return file("g/" + (fnv1a(gram) % meta.buckets) + ".json").then(function (shard) {
        var found = Object.prototype.hasOwnProperty.call(shard, gram) ? shard[gram] : [];
        return found === 0 ? file(soloName(gram)) : found;  // 0: stored alone
      }).then(function (found) {
        var set = new Set(), acc = 0;
        found.forEach(function (d) { acc += d; set.add(acc); });
        return set;
      });
    };
    this.doc = function (id) {
      return file("d/" + Math.floor(id / meta.doc_shard) + ".json").then(function (rows) {
        return rows[id % meta.doc_shard];
      });
    };
  }

  function matchTerm(index, term) {
    var grams = cover(term), stride = index.meta.stride;
    return Promise.all(grams.map(function (g) { return index.positions(g[0]); })).then(function (sets) {
      var hits = new Set();
      sets[0].forEach(function (p) {
        for (var i = 1; i < sets.length; i++) if (!sets[i].has(p + grams[i][1])) return;
        hits.add(Math.floor(p / stride));
      });
      return hits;
    });
  }

  function matchIds(index, q) {
    var ts = terms(q);
    if (!ts.length) return Promise.resolve([]);
    return Promise.all(ts.map(function (t) { return matchTerm(index, t); })).then(function (sets) {
      var ids = [];
      sets[0].forEach(function (id) {
        if (sets.every(function (s) { return s.has(id); })) ids.push(id);
      });
      return ids.sort(function (a, b) { return a - b; });
    });
  }

  function fetchJSON(path, fresh) {
    return fetch(ROOT + path, fresh ? { cache: "no-cache" } : {}).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + path);
      return r.json();
    });
  }

  function statusRegion(list) {
    var el = document.getElementById("search-status");
    if (!el) {
      el = document.createElement("p");
      el.id = "search-status";
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      list.parentNode.insertBefore(el, list);
    }
    return el;
  }

  function item(row) {
    var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
    kind.className = "search-kind";
    kind.textContent = KINDS[row[0]] || row[0];
    a.href = row[1];
    a.textContent = row[2];
    li.appendChild(kind);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(a);
    if (row[3]) {
      var detail = document.createElement("span");
      detail.className = "search-detail";
      detail.textContent = " " + row[3];
      li.appendChild(detail);
    }
    return li;
  }

  function run() {
    var list = document.getElementById("search-results");
    var input = document.getElementById("search-q");
    if (!list) return;
    var q = new URLSearchParams(window.location.search).get("q") || "";
    if (input) input.value = q;
    if (!terms(q).length) return;
    var status = statusRegion(list);
    status.textContent = "正在查找…… Searching…";
    var index, ids, shown = 0, more = document.createElement("button");
    more.type = "button";
    more.className = "search-more";
    more.textContent = "显示更多 Show more";
    more.hidden = true;
    list.parentNode.insertBefore(more, list.nextSibling);

    function unavailable() { status.textContent = "检索暂时不可用，请稍后再试。 Search is unavailable."; }

    /* The next meta.page results: only their record files are fetched. */
    function showPage() {
      var page = ids.slice(shown, shown + index.meta.page);
      more.disabled = true;
      return Promise.all(page.map(function (id) { return index.doc(id); })).then(function (rows) {
        var first = null;
        rows.forEach(function (row) { var li = item(row); first = first || li; list.appendChild(li); });
        shown += page.length;
        more.disabled = false;
        more.hidden = shown >= ids.length;
        return first;
      });
    }
    more.addEventListener("click", function () {
      showPage().then(function (first) {
        if (first) first.querySelector("a").focus();  // keyboard users go on from the new results
      }).catch(unavailable);
    });

    fetchJSON("meta.json", true).then(function (meta) {
      index = new Index(meta, fetchJSON);
      return matchIds(index, q);
    }).then(function (found) {
      ids = found;
      list.textContent = "";
      if (!ids.length) {
        status.textContent = "没有找到“" + q + "”。 No results.";
        return;
      }
      status.textContent = "找到 " + ids.length + " 条结果。 " + ids.length + (ids.length === 1 ? " result." : " results.");
      return showPage();
    }).catch(unavailable);
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { normalize: normalize, terms: terms, fnv1a: fnv1a, cover: cover, soloName: soloName,
                       Index: Index, matchIds: matchIds };
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
