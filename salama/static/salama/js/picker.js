// Type-ahead chip picker: upgrades every <select multiple data-picker> (salama.core.pickers).
//
// Progressive enhancement only: without this file the select still submits every chosen value.
// With it, the select is hidden (it stays in the form and is what is submitted) and replaced by
// the chosen items as chips plus a combobox that searches the options by their text (the name in
// the user's language) and their data-terms (code and English name), ignoring accents and case.
// Keys: type to filter, ArrowDown/ArrowUp to move, Enter to add, Escape to close, Backspace in
// the empty box to remove the last chip. ARIA 1.2 combobox + listbox with aria-activedescendant.
(function () {
  "use strict";
  var MAX_SHOWN = 60;
  var counter = 0;

  // Accents, Arabic short vowels and hamza seats set aside, case folded.
  function fold(text) {
    return (text || "")
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627")
      .replace(/\u0649/g, "\u064a")
      .replace(/\u0629/g, "\u0647")
      .replace(/\u0640/g, "")
      .toLowerCase();
  }

  // Every word of the names can start a match; an Arabic word also without its article
  // (so that "سور" finds "السورية").
  function words(text) {
    var spaced = " " + text.replace(/[\s,()'.-]+/g, " ");
    return spaced + spaced.replace(/ ال/g, " ") + " ";
  }

  // 0: the code itself; 1: the start of a word; 2: anywhere; -1: no match. Ties keep the
  // options' own (alphabetical) order.
  function rank(item, query) {
    if (!query) return 2;
    if (item.code === query) return 0;
    if (item.words.indexOf(" " + query) !== -1) return 1;
    if (item.words.indexOf(query) !== -1) return 2;
    return -1;
  }

  function enhance(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    var n = ++counter;
    var baseId = select.id || "picker-" + n;
    var items = Array.prototype.map.call(select.options, function (option, index) {
      return {
        option: option,
        index: index,
        label: option.textContent,
        code: fold(option.value),
        words: words(fold(option.textContent + " " + option.getAttribute("data-terms"))),
      };
    });

    var box = document.createElement("div");
    box.className = "picker";
    var chips = document.createElement("ul");
    chips.className = "picker-chips";
    chips.setAttribute("aria-label", select.getAttribute("data-picker-chosen") || "Chosen");
    var input = document.createElement("input");
    input.type = "text";
    input.id = baseId + "_search";
    input.className = "picker-input";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", baseId + "_listbox");
    input.placeholder = select.getAttribute("data-picker-search") || "";
    ["aria-describedby", "aria-invalid", "autofocus"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });
    var list = document.createElement("ul");
    list.id = baseId + "_listbox";
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) {
      label.htmlFor = input.id;
      if (!label.id) label.id = baseId + "_label";
      list.setAttribute("aria-labelledby", label.id);
    }

    box.appendChild(chips);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    select.classList.add("picker-native");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(box, select.nextSibling);

    var shown = [];
    var active = -1;

    function renderChips() {
      chips.textContent = "";
      items.forEach(function (item) {
        if (!item.option.selected || !item.option.value) return;
        var chip = document.createElement("li");
        chip.className = "picker-chip";
        var text = document.createElement("span");
        text.textContent = item.label;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "picker-remove";
        remove.textContent = "\u00d7";
        remove.setAttribute(
          "aria-label",
          (select.getAttribute("data-picker-remove") || "Remove %s").replace("%s", item.label)
        );
        remove.addEventListener("click", function () {
          choose(item, false);
          input.focus();
        });
        chip.appendChild(text);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      chips.hidden = !chips.firstChild;
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && list.children[index]) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      var query = fold(input.value.trim());
      shown = items
        .filter(function (item) {
          return item.option.value && !item.option.selected;
        })
        .map(function (item) {
          return { item: item, rank: rank(item, query) };
        })
        .filter(function (hit) {
          return hit.rank >= 0;
        })
        .sort(function (a, b) {
          return a.rank - b.rank || a.item.index - b.item.index;
        })
        .slice(0, MAX_SHOWN)
        .map(function (hit) {
          return hit.item;
        });
      list.textContent = "";
      shown.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = baseId + "_opt_" + item.index;
        li.setAttribute("role", "option");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          choose(item, true);
        });
        list.appendChild(li);
      });
      if (!shown.length) {
        status.textContent = query ? select.getAttribute("data-picker-none") || "" : "";
        close();
        return;
      }
      status.textContent = "";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      setActive(query ? 0 : -1);
    }

    function choose(item, selected) {
      item.option.selected = selected;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      renderChips();
      if (selected) {
        input.value = "";
        status.textContent = item.label;
        close();
      }
    }

    input.addEventListener("input", open);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded) open();
        if (shown.length) setActive(Math.min(active + 1, shown.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (expanded && shown.length) setActive(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault();
          choose(shown[active], true);
        } else if (input.value.trim()) {
          event.preventDefault(); // a half-typed name must not submit the form
        }
      } else if (event.key === "Escape") {
        if (expanded) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Backspace" && !input.value) {
        var chosen = items.filter(function (item) {
          return item.option.selected && item.option.value;
        });
        if (chosen.length) choose(chosen[chosen.length - 1], false);
      }
    });
    box.addEventListener("click", function (event) {
      if (event.target === box || event.target === chips) input.focus();
    });
    select.addEventListener("change", function (event) {
      if (event.isTrusted) renderChips();
    });

    renderChips();
    if (input.hasAttribute("autofocus")) input.focus();
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[multiple][data-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll();
    });
  } else {
    enhanceAll();
  }
  document.addEventListener("htmx:load", function (event) {
    enhanceAll(event.target);
  });
})();
