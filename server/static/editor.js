// The SPARQL editor: upgrades the plain form (which works without JavaScript) with CodeMirror 6,
// prefix completion, one-click examples, an in-page results table, downloads and a permalink.
// Everything the data or the user supplies is inserted as text (textContent), never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var configEl = document.getElementById("sparql-config");
  if (!form || !configEl || !window.CM) return;
  var config = JSON.parse(configEl.textContent);
  var S = config.strings;
  var textarea = document.getElementById("query");
  var statusEl = document.getElementById("status");
  var tableEl = document.getElementById("result-table");
  var downloadsEl = document.getElementById("downloads");
  var formatEl = document.getElementById("format");
  var resultsEl = document.getElementById("results");
  var CM = window.CM;

  // ---- completion -------------------------------------------------------------------------
  var prefixes = config.prefixes;
  var terms = null; // prefix -> [local names], fetched once from the endpoint

  function declared(doc) {
    var found = {};
    var re = /PREFIX\s+([\w-]*):\s*<([^>]*)>/gi, m;
    while ((m = re.exec(doc))) found[m[1]] = m[2];
    return found;
  }

  function loadTerms() {
    if (terms) return Promise.resolve(terms);
    var q = "SELECT DISTINCT ?t WHERE { { ?t a ?k . VALUES ?k { <http://www.w3.org/2002/07/owl#Class> " +
      "<http://www.w3.org/2002/07/owl#ObjectProperty> <http://www.w3.org/2002/07/owl#DatatypeProperty> } } " +
      "UNION { ?s ?t ?o } UNION { ?s a ?t } } LIMIT 2000";
    return fetch(config.endpoint, {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded" },
      body: "query=" + encodeURIComponent(q)
    }).then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; })
      .then(function (json) {
        terms = {};
        json.results.bindings.forEach(function (b) {
          var iri = b.t && b.t.value;
          if (!iri) return;
          Object.keys(prefixes).forEach(function (p) {
            var ns = prefixes[p];
            if (iri.indexOf(ns) === 0 && iri.length > ns.length) {
              var local = iri.slice(ns.length);
              if (/^[\w.-]+$/.test(local)) (terms[p] = terms[p] || {})[local] = true;
            }
          });
        });
        return terms;
      }).catch(function () { terms = {}; return terms; });
  }

  function sparqlCompletions(context) {
    var line = context.state.doc.lineAt(context.pos);
    var before = line.text.slice(0, context.pos - line.from);
    var decl = /PREFIX\s+([\w-]*)$/i.exec(before);
    if (decl) {
      var from = context.pos - decl[1].length;
      return {
        from: from,
        options: Object.keys(prefixes).map(function (p) {
          return { label: p + ": <" + prefixes[p] + ">", type: "namespace", apply: p + ": <" + prefixes[p] + ">" };
        })
      };
    }
    var word = context.matchBefore(/[\w-]*:?[\w.-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    var colon = word.text.indexOf(":");
    if (colon < 0) {
      var doc = context.state.doc.toString();
      var have = declared(doc);
      return {
        from: word.from,
        options: Object.keys(prefixes).map(function (p) {
          return {
            label: p + ":", type: "namespace", detail: prefixes[p],
            apply: function (view, completion, from, to) {
              var changes = [{ from: from, to: to, insert: p + ":" }];
              if (!have[p]) changes.push({ from: 0, insert: "PREFIX " + p + ": <" + prefixes[p] + ">\n" });
              view.dispatch({ changes: changes });
            }
          };
        })
      };
    }
    var prefix = word.text.slice(0, colon);
    return loadTerms().then(function (t) {
      var locals = Object.keys(t[prefix] || {}).sort();
      if (!locals.length) return null;
      return {
        from: word.from + colon + 1,
        options: locals.map(function (l) { return { label: l, type: /^[A-Z]/.test(l) ? "class" : "property" }; }),
        validFor: /^[\w.-]*$/
      };
    });
  }

  // ---- editor -----------------------------------------------------------------------------
  var highlight = CM.HighlightStyle.define([
    { tag: CM.tags.keyword, color: "#7a2e9a", fontWeight: "bold" },
    { tag: [CM.tags.string, CM.tags.special(CM.tags.string)], color: "#1c6b2a" },
    { tag: [CM.tags.atom, CM.tags.bool], color: "#0b4f94" },
    { tag: CM.tags.variableName, color: "#9a3a00" },
    { tag: CM.tags.comment, color: "#5a6673", fontStyle: "italic" },
    { tag: CM.tags.number, color: "#0b4f94" },
    { tag: [CM.tags.url, CM.tags.link], color: "#0b4f94" },
    { tag: CM.tags.operator, color: "#333" }
  ]);
  var runKeys = [{ key: "Mod-Enter", run: function () { run(); return true; } }];
  var view = new CM.EditorView({
    state: CM.EditorState.create({
      doc: textarea.value,
      extensions: [
        CM.lineNumbers(), CM.history(), CM.drawSelection(), CM.highlightActiveLine(),
        CM.bracketMatching(), CM.closeBrackets(), CM.indentOnInput(), CM.highlightSelectionMatches(),
        CM.StreamLanguage.define(CM.sparql), CM.syntaxHighlighting(highlight),
        CM.autocompletion({ override: [sparqlCompletions], activateOnTyping: true }),
        CM.keymap.of(runKeys.concat(CM.closeBracketsKeymap, CM.defaultKeymap, CM.historyKeymap,
          CM.searchKeymap, CM.completionKeymap)),
        CM.EditorView.contentAttributes.of({ "aria-label": textarea.labels[0] ? textarea.labels[0].textContent : "SPARQL",
          "aria-multiline": "true" }),
        CM.EditorView.lineWrapping
      ]
    })
  });
  textarea.parentNode.insertBefore(view.dom, textarea);
  textarea.hidden = true;
  textarea.labels[0] && textarea.labels[0].addEventListener("click", function () { view.focus(); });

  function query() { return view.state.doc.toString(); }
  function setQuery(text) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }); }

  // ---- running ----------------------------------------------------------------------------
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // The short form of an IRI for the table (unit:ssm, org:Post); the full IRI stays the href.
  function shorten(iri) {
    var best = null;
    Object.keys(config.short || {}).forEach(function (p) {
      var ns = config.short[p];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && (!best || ns.length > best[1].length)) best = [p, ns];
    });
    if (!best) return iri;
    var local = iri.slice(best[1].length);
    return /^[\w.\-]+$/.test(local) ? best[0] + ":" + local : iri;
  }

  function isGraphQuery(q) {
    return /^(?:\s+|#[^\n]*(?:\n|$)|(?:PREFIX|BASE)\b[^\n<]*<[^>]*>)*(CONSTRUCT|DESCRIBE)\b/i.test(q);
  }

  function hrefFor(iri) {
    if (iri.indexOf(config.base) === 0) return config.prefix + "/" + iri.slice(config.base.length);
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function setStatus(text, isError) {
    if (resultsEl) resultsEl.hidden = false;
    statusEl.textContent = "";
    var p = el("p", null, isError ? { "class": "error" } : null);
    if (isError) {
      p.appendChild(el("strong", S.error + ": "));
      p.appendChild(document.createTextNode(S.engine_error + " "));
      p.appendChild(el("code", text, { lang: "en" }));
    } else {
      p.appendChild(document.createTextNode(text));
    }
    statusEl.appendChild(p);
  }

  function permalinkFor(q) { return config.endpoint + "?query=" + encodeURIComponent(q); }

  function renderDownloads(q) {
    downloadsEl.textContent = "";
    var p = el("p", S.download + ": ");
    var formats = isGraphQuery(q) ? config.graph_formats : config.formats;
    formats.forEach(function (f, i) {
      var a = el("a", f.label, { href: config.endpoint + "?query=" + encodeURIComponent(q) + "&format=" + f.key,
        type: f.media, "data-format": f.key, download: "results." + f.key });
      a.addEventListener("click", function (ev) { ev.preventDefault(); download(q, f); });
      if (i) p.appendChild(document.createTextNode(" · "));
      p.appendChild(a);
    });
    p.appendChild(document.createTextNode(" · "));
    p.appendChild(el("a", S.permalink, { href: permalinkFor(q), id: "permalink" }));
    downloadsEl.appendChild(p);
  }

  function download(q, f) {
    post(q, f.media).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(t || r.statusText); });
      return r.blob();
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = el("a", null, { href: url, download: "results." + f.key });
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }).catch(function (e) { setStatus(String(e.message || e), true); });
  }

  function post(q, accept) {
    return fetch(config.endpoint, {
      method: "POST",
      headers: { "Accept": accept, "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" },
      body: "query=" + encodeURIComponent(q)
    });
  }

  function renderTable(json) {
    tableEl.textContent = "";
    if (typeof json.boolean === "boolean") {
      var p = el("p", S.boolean_result + ": ", { "class": "boolean" });
      p.appendChild(el("strong", json.boolean ? S.yes : S.no));
      tableEl.appendChild(p);
      setStatus(S.boolean_result + ": " + (json.boolean ? S.yes : S.no));
      return;
    }
    var vars = json.head.vars || [];
    var rows = json.results.bindings || [];
    var table = el("table");
    var thead = el("thead"), tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("th", v, { scope: "col" })); });
    thead.appendChild(tr); table.appendChild(thead);
    var tbody = el("tbody");
    rows.slice(0, 2000).forEach(function (b) {
      var row = el("tr");
      vars.forEach(function (v) {
        var td = el("td"), term = b[v];
        if (term && term.type === "uri") {
          var href = hrefFor(term.value);
          td.appendChild(href ? el("a", shorten(term.value), { href: href, title: term.value })
            : el("span", shorten(term.value), { title: term.value }));
        } else if (term && term.type === "bnode") {
          td.textContent = "_:" + term.value;
        } else if (term) {
          var span = el("span", term.value);
          if (term["xml:lang"]) { span.setAttribute("lang", term["xml:lang"]); }
          td.appendChild(span);
          if (term["xml:lang"]) td.appendChild(el("span", " @" + term["xml:lang"], { "class": "tag" }));
        }
        row.appendChild(td);
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    tableEl.appendChild(table);
    setStatus(rows.length + " " + (rows.length === 1 ? S.row : S.rows));
  }

  function run() {
    var q = query();
    textarea.value = q;
    setStatus(S.running);
    renderDownloads(q);
    var isGraph = isGraphQuery(q);
    post(q, isGraph ? "text/turtle" : "application/sparql-results+json").then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(t.trim() || r.statusText); });
      return isGraph ? r.text() : r.json();
    }).then(function (data) {
      if (isGraph) {
        tableEl.textContent = "";
        tableEl.appendChild(el("pre", data, { "class": "rdf" }));
        setStatus(S.results);
      } else {
        renderTable(data);
      }
      if (window.history && history.replaceState) history.replaceState(null, "", permalinkFor(q));
    }).catch(function (e) { tableEl.textContent = ""; setStatus(String(e.message || e), true); });
  }

  form.addEventListener("submit", function (ev) {
    textarea.value = query();
    if (formatEl && formatEl.value !== "html") return; // a download: let the browser submit
    ev.preventDefault();
    run();
  });

  Array.prototype.forEach.call(document.querySelectorAll("a.example"), function (a) {
    a.addEventListener("click", function (ev) {
      var text = config.examples[a.getAttribute("data-name")];
      if (text == null) return;
      ev.preventDefault();
      setQuery(text);
      run();
      view.focus();
    });
  });

  if (config.autorun) run();
})();
