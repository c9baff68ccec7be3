// The DynamoDB and SNS SDK clients (approvals, issue 12) as one module. The extension build bundles it on its own as
// dist/aws-approvals.js and maps `@aws-sdk/client-dynamodb` / `@aws-sdk/client-sns` to it (esbuild.js), so the
// extension bundle that is parsed at activation does not carry SDK code that only approvals use. Elsewhere (CLI,
// tests) the packages are imported directly and this module is unused.
export * as dynamodb from '@aws-sdk/client-dynamodb';
export * as sns from '@aws-sdk/client-sns';
