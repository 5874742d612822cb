import deployModel, { type DeployNames, type NamesInput } from '../deploy/names.cjs';
import { UsageError } from '../domain/errors.js';

/** The stage the deploy and the CLI take when none is given (serverless.yml's provider.stage default). */
export const DEFAULT_STAGE = deployModel.DEFAULT_STAGE;

/**
 * Every name a stage deploys, from the deploy's own naming function (deploy/names.cjs), which the
 * deploy tests check against the packaged template. A bad stage or suffix is a usage error, in the
 * deploy's words.
 */
export function stageNames(input: NamesInput): DeployNames {
  try {
    return deployModel.deployNames(input);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The event archive and the ingest rule of a stage (`ecs-events replay` looks them up). */
export function deployedNames(stage: string): { archive: string; rule: string } {
  const names = stageNames({ stage });
  return { archive: names.eventArchive, rule: names.ingestRule };
}
