// Stand-in for apt-mark inside a lab host: hold, unhold, showhold (and manual/auto as no-ops).
import { readPackageDb, writePackageDb } from '../package-db';
import { offeredVersion } from '../package-install';
import { installedPackages } from '../package-db';

function main(argv: string[]): number {
  const words = argv.filter((a) => !a.startsWith('-'));
  const [verb, ...names] = words;
  const db = readPackageDb();
  switch (verb) {
    case 'hold':
    case 'unhold': {
      if (names.length === 0) {
        console.error(`E: No packages found`);
        return 100;
      }
      for (const name of names) {
        if (!installedPackages(db)[name] && offeredVersion(name, 'deb') === undefined) {
          console.error(`E: Unable to locate package ${name}`);
          return 100;
        }
      }
      for (const name of names) {
        const held = db.held.includes(name);
        if (verb === 'hold') {
          console.log(held ? `${name} was already set on hold.` : `${name} set on hold.`);
          if (!held) db.held.push(name);
        } else {
          console.log(held ? `Canceled hold on ${name}.` : `${name} was already not on hold.`);
          db.held = db.held.filter((h) => h !== name);
        }
      }
      writePackageDb(db);
      return 0;
    }
    case 'showhold':
      for (const name of [...db.held].sort()) if (names.length === 0 || names.includes(name)) console.log(name);
      return 0;
    case 'manual':
    case 'auto':
      for (const name of names) console.log(`${name} set to ${verb === 'manual' ? 'manually' : 'automatically'} installed.`);
      return 0;
    case 'showmanual':
      for (const name of Object.keys(db.installed).sort()) console.log(name);
      return 0;
    default:
      console.error(verb ? `E: Invalid operation ${verb}` : 'E: No operation given (hold, unhold, showhold, manual, auto)');
      return 100;
  }
}

process.exitCode = main(process.argv.slice(2));
