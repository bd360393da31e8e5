/* The ballot's basket (templates/ideas/voting/ballot.html), updated as the voter ticks or types: how many ideas,
   their cost to the budget (each idea's data-cost is its net cost, after partners' co-funding), the budget and
   points left. The server renders the same text first, so the page works without this
   script; the texts come translated from the template's <template data-basket-texts> element. */
(function () {
    "use strict";

    function format(text, values) {
        return text.replace(/%\((\w+)\)s/g, function (_match, name) { return values[name]; });
    }

    // As the server's |money filter (ideas/text/formats.py): lv "18 000 €", en "€18,000", cents only when there are.
    function money(amount, language) {
        var cents = Math.round(Math.abs(amount) * 100) % 100 !== 0;
        return new Intl.NumberFormat(language || undefined, {
            style: "currency", currency: "EUR", useGrouping: "always",  // as the server writes it: lv CLDR leaves 4-digit amounts ungrouped
            minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: cents ? 2 : 0
        }).format(amount);
    }

    function setUp(form) {
        var live = form.querySelector("[data-basket-summary]");
        var texts = form.querySelector("[data-basket-texts]");
        if (!live || !texts) { return; }
        var method = form.dataset.method;
        var budget = parseFloat(form.dataset.budget);
        var pointsTotal = form.dataset.pointsTotal ? parseInt(form.dataset.pointsTotal, 10) : null;
        var language = document.documentElement.lang;

        function update() {
            var count = 0, cost = 0, points = 0;
            form.querySelectorAll("[data-ballot-idea]").forEach(function (row) {
                var input = row.querySelector("[data-ballot-input]");
                var chosen;
                if (input.type === "checkbox" || input.type === "radio") {
                    chosen = input.checked;
                } else {
                    var value = parseInt(input.value, 10);
                    chosen = value > 0;
                    if (chosen && method === "cumulative") { points += value; }
                }
                if (chosen) {
                    count += 1;
                    cost += parseFloat(row.dataset.cost);
                }
            });
            var parts = [
                count === 1 ? texts.dataset.one : format(texts.dataset.many, { count: count }),
                format(texts.dataset.cost, { cost: money(cost, language) })
            ];
            if (method === "approval_budget") {
                parts.push(format(texts.dataset.budgetLeft, { remaining: money(budget - cost, language) }));
            }
            if (method === "cumulative" && pointsTotal !== null) {
                parts.push(format(texts.dataset.pointsLeft, { remaining: pointsTotal - points }));
            }
            var meter = form.querySelector("[data-basket-meter]");
            if (meter && budget > 0) {
                // The bar under the sentence: the share of the budget the chosen ideas use (red when over).
                meter.style.width = Math.max(0, Math.min(100, Math.floor(cost * 100 / budget))) + "%";
                meter.parentElement.classList.toggle("ballot-basket__track--over", cost > budget);
            }
            var text = parts.join(", ") + ".";
            // Only a real change is written, so screen readers do not repeat the same sentence.
            if (live.textContent !== text) { live.textContent = text; }
        }

        form.addEventListener("change", update);
        form.addEventListener("input", update);
    }

    document.querySelectorAll("[data-ballot]").forEach(setUp);
})();
