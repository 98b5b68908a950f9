// Starts GraphiQL from the bundles this server serves itself: no CDN, so the
// playground works on an offline host. The page passes its settings as JSON.
(function () {
  var settings = JSON.parse(document.getElementById('sightline-playground').textContent);
  var fetcher = window.GraphiQL.createFetcher({ url: window.location.origin + settings.endpoint });
  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultTabs: settings.tabs,
      defaultHeaders: settings.headers,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
