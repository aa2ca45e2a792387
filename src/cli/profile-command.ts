import type { Command } from 'commander'
import { readCsvColumns } from '../monitoring/drift/csv-columns.js'
import { mergeProfiles, profileColumns } from '../monitoring/profiles/column-profile.js'
import { readProfileFile, writeProfileFile } from '../monitoring/profiles/profile-file.js'
import { invalidParameter } from '../shared/errors.js'
import { action } from './cli-context.js'

interface ProfileFlags {
  output: string
  k: string
  merge?: boolean
}

export function registerProfileCommand(program: Command): void {
  program
    .command('profile')
    .description('write a mergeable profile (counts, moments, KLL quantile sketch, frequent items) of a CSV, or merge profiles')
    .argument('<inputs...>', 'a CSV with a header row, or with --merge two or more profile JSON files')
    .requiredOption('-o, --output <file>', 'where to write the profile JSON')
    .option('--k <n>', 'KLL sketch accuracy: larger is more accurate and bigger', '200')
    .option('--merge', 'merge the given profiles into one')
    .action(
      action(async (inputs: string[], flags: ProfileFlags) => {
        const k = Number(flags.k)
        if (!Number.isInteger(k) || k < 8 || k > 65_536) throw invalidParameter(`--k must be an integer from 8 to 65536, got '${flags.k}'.`)
        let profile
        if (flags.merge) {
          if (inputs.length < 2) throw invalidParameter('--merge needs at least two profile files.')
          profile = inputs.map((p) => readProfileFile(p)).reduce((a, b) => mergeProfiles(a, b))
        } else {
          if (inputs.length !== 1) throw invalidParameter('Give one CSV to profile, or use --merge with profile files.')
          profile = profileColumns(readCsvColumns(inputs[0]!, 'input'), { k })
        }
        writeProfileFile(flags.output, profile)
        const rows = [...profile.columns.values()][0]?.n ?? 0
        process.stdout.write(`profile of ${profile.columns.size} columns, ${rows} rows written to ${flags.output}\n`)
      }),
    )
}
