import type { StudyConfig } from '../../studies/schema.ts';
import { TABLE_OF_DATASET, type TableName } from './rows.ts';

/** The tables a study receives, from its datasets. */
export function tablesOf(study: Pick<StudyConfig, 'datasets'>): TableName[] {
  return study.datasets.flatMap((d) => {
    const t = TABLE_OF_DATASET[d];
    return t ? [t] : [];
  });
}
