(function () {
  "use strict";
  // The compliance view shows the framework chosen, none until then.
  var fw = document.getElementById("f-framework");
  if (fw) {
    var views = Array.prototype.slice.call(document.querySelectorAll("div.framework"));
    var hint = document.getElementById("framework-hint");
    var showFramework = function () {
      views.forEach(function (v) { v.hidden = v.dataset.framework !== fw.value; });
      hint.hidden = fw.value !== "";
    };
    fw.addEventListener("change", showFramework);
    showFramework();
  }

  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var shown = document.getElementById("shown");
  var filters = ["severity", "category", "rtype", "state", "waived"].map(function (name) {
    return { name: name, el: document.getElementById("f-" + name) };
  }).filter(function (f) { return f.el; });
  var text = document.getElementById("f-text");

  function apply() {
    var q = text.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (row) {
      var ok = filters.every(function (f) { return !f.el.value || row.dataset[f.name] === f.el.value; });
      if (ok && q) { ok = row.textContent.toLowerCase().indexOf(q) >= 0; }
      row.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + " of " + rows.length;
  }
  filters.forEach(function (f) { f.el.addEventListener("change", apply); });
  text.addEventListener("input", apply);

  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells).filter(function (th) { return th.dataset.sort; });
  heads.forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.dataset.sort;
      var dir = th.classList.contains("asc") ? -1 : 1;
      heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(dir === 1 ? "asc" : "desc");
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        var c = key === "rank" ? Number(x) - Number(y) : x.localeCompare(y);
        return c * dir;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
