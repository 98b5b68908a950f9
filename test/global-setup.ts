// Generated fixtures (models) are built once per run here; see test/fixtures/.
export default async function setup(): Promise<void> {}
