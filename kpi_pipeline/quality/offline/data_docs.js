// Stand-ins for the CDN scripts GX Data Docs load (jQuery, Bootstrap, bootstrap-table, Vega):
// on an offline network they are not there, so the pages' own inline calls find these
// instead and do nothing, and a chart says it is not drawn (quality/offline_docs.py).
(function () {
  function chain() { return proxy; }
  var proxy = new Proxy(function () { return proxy; }, {
    get: function (target, name) { return name === "length" ? 0 : chain; },
    apply: function () { return proxy; }
  });
  window.jQuery = window.$ = function (x) {
    if (typeof x === "function") { document.addEventListener("DOMContentLoaded", x); }
    return proxy;
  };
  window.vegaEmbed = function (el) {
    var node = typeof el === "string" ? document.querySelector(el) : el;
    if (node) { node.textContent = "(Biểu đồ không vẽ khi không có mạng: xem bảng số liệu.)"; }
    return Promise.resolve();
  };
})();
