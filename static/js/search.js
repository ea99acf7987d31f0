/* Search with the Pagefind bundle of the page's language (pagefind/<lang>/, one per language).
   Without JavaScript, or before the index loads, the page lists every page instead.
   The words searched for are not put in the address, so they stay out of the browser history. */
const root = document.querySelector(".js-portal-search");
const form = root.querySelector(".portal-search__form");
const input = root.querySelector(".js-portal-search-input");
const status = root.querySelector(".js-portal-search-status");
const list = root.querySelector(".js-portal-search-results");

let pagefind = null;
try {
  pagefind = await import(`/pagefind/${document.documentElement.lang}/pagefind.js`);
  await pagefind.init();
} catch (error) {
  pagefind = null; // no index (e.g. the live preview): the list of all pages still works
}

const item = (data) => {
  const li = document.createElement("li");
  li.className = "portal-search__result";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title;
  const excerpt = document.createElement("p");
  excerpt.innerHTML = data.excerpt; // Pagefind escapes the text; only <mark> is markup
  li.append(link, excerpt);
  return li;
};

let latest = 0;
const run = async () => {
  const query = input.value.trim();
  const ticket = ++latest;
  if (query.length < 2) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  const search = await pagefind.search(query);
  const results = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
  if (ticket !== latest) {
    return; // a newer search has started
  }
  list.replaceChildren(...results.map(item));
  status.textContent = results.length
    ? root.dataset.results.replace("{count}", String(search.results.length))
    : root.dataset.none;
};

if (pagefind) {
  form.hidden = false;
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
}
