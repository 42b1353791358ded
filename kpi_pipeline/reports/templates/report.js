// Inline, offline (nothing fetched): the district filter and printing the summary page alone.
(function () {
  var body = document.body;
  var select = document.getElementById("district-filter");
  function filter() {
    var code = select ? select.value : "";
    var rows = document.querySelectorAll("[data-district]");
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = code !== "" && rows[i].getAttribute("data-district") !== code;
    }
    body.setAttribute("data-filter", code);
  }
  if (select) {
    select.addEventListener("change", filter);
    filter();
  }
  // "#in-tom-tat" in the address (or the button) prints the one-page summary alone
  function summaryOnly(on) { body.classList.toggle("print-summary", on); }
  if (location.hash === "#in-tom-tat") summaryOnly(true);
  var button = document.getElementById("print-summary");
  if (button) {
    button.addEventListener("click", function () {
      summaryOnly(true);
      window.print();
      summaryOnly(location.hash === "#in-tom-tat");
    });
  }
})();
