// Starts GraphiQL from the bundles this server serves itself: no CDN, so the
// playground works on an offline host. The page passes its settings as JSON.
(function () {
  var settings = JSON.parse(document.getElementById('sightline-playground').textContent);
  var fetcher = window.GraphiQL.createFetcher({ url: window.location.origin + settings.endpoint });
  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  var props = {
    fetcher: fetcher,
    defaultTabs: settings.tabs,
    defaultHeaders: settings.headers,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: true,
  };
  // The header carries our name rather than GraphiQL's own logo.
  var logo = window.React.createElement(window.GraphiQL.Logo, null, 'Sightline');
  root.render(window.React.createElement(window.GraphiQL, props, logo));
})();
