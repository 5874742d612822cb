// `npm run bench`: this project against the AWS guide's example function, on DynamoDB Local.
// The handlers build their Powertools logger and metrics when their modules load, so the benchmark's
// quiet settings go into the environment before anything else is imported.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

if (process.argv[2] === 'sql-history') {
  // The cold store's figures (issue 24): bench/sqlHistory.ts.
  const { sqlHistoryBench } = await import('./sqlHistory.js');
  process.exitCode = await sqlHistoryBench(process.argv.slice(3));
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(process.argv.slice(2));
}
