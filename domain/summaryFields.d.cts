// Types of domain/summaryFields.cjs; test/summaryFields.domain.test.ts checks that they agree.
export declare const SUMMARY_FIELDS: {
  readonly lastStatus: 'string';
  readonly desiredStatus: 'string';
  readonly status: 'string';
  readonly agentConnected: 'boolean';
  readonly stopCode: 'string';
  readonly eventType: 'string';
  readonly eventName: 'string';
};
