// cloudlet console: the few things HTML cannot do alone. Every page reads
// without this file; it adds live updates (Server-Sent Events) and a
// confirmation before destructive forms.
"use strict";

function cell(tr, text, cls) {
  const td = document.createElement("td");
  if (cls) td.className = cls;
  td.textContent = text;
  tr.appendChild(td);
  return td;
}

function prepend(tbody, tr, max) {
  const empty = tbody.querySelector("td.empty");
  if (empty) empty.parentNode.remove();
  tbody.insertBefore(tr, tbody.firstChild);
  while (max && tbody.rows.length > max) tbody.deleteRow(tbody.rows.length - 1);
}

document.addEventListener("DOMContentLoaded", () => {
  // Destructive forms ask first; the server asks again when this did not.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) {
        ev.preventDefault();
        return;
      }
      const yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "confirm";
      yes.value = "yes";
      form.appendChild(yes);
    });
  }

  // Stack events while an operation runs; reload when it ends so that
  // resources and outputs are current.
  for (const table of document.querySelectorAll("table[data-events]")) {
    const tbody = table.tBodies[0];
    const es = new EventSource(table.dataset.events);
    es.onmessage = (m) => {
      const e = JSON.parse(m.data);
      const tr = document.createElement("tr");
      cell(tr, e.time);
      cell(tr, e.logicalId);
      cell(tr, e.physicalId, "wrap");
      cell(tr, e.type);
      const st = cell(tr, "");
      const span = document.createElement("span");
      span.className = "status " + e.class;
      span.textContent = e.status;
      st.appendChild(span);
      cell(tr, e.reason, "wrap");
      prepend(tbody, tr);
    };
    es.addEventListener("end", () => {
      es.close();
      setTimeout(() => window.location.reload(), 300);
    });
  }

  // Log tail: newest first, at most 1000 rows.
  for (const table of document.querySelectorAll("table[data-tail]")) {
    const tbody = table.tBodies[0];
    const es = new EventSource(table.dataset.tail);
    table.classList.add("connected");
    es.onmessage = (m) => {
      const e = JSON.parse(m.data);
      const tr = document.createElement("tr");
      cell(tr, e.time);
      const s = cell(tr, "", "wrap");
      const small = document.createElement("small");
      small.textContent = e.stream;
      s.appendChild(small);
      const msg = cell(tr, "");
      const pre = document.createElement("pre");
      pre.textContent = e.message;
      msg.appendChild(pre);
      prepend(tbody, tr, 1000);
    };
    es.onerror = () => table.classList.remove("connected");
    es.onopen = () => table.classList.add("connected");
  }
});
