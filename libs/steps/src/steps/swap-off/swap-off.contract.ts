import type { StepCases } from '../../contract/step-contract';
import { swapOff } from './swap-off';

const swapFacts = { activeSwaps: [] as string[], fstab: 'UUID=1111 / ext4 defaults 0 1\n', swapUnits: [] as string[], maskedUnits: [] as string[], zram: { generatorInstalled: false, config: undefined }, systemdRunning: true };

/** swap.off: a host with a swap file on and in fstab; the same host after; the swap turned on again by hand. */
export const contract: StepCases = {
  step: swapOff,
  firstRun: {
    params: {},
    facts: { ...swapFacts, activeSwaps: ['/swap.img'], fstab: `${swapFacts.fstab}/swap.img none swap sw 0 0\n`, swapUnits: ['swap.img.swap'] },
  },
  noop: { params: {}, facts: { ...swapFacts, fstab: `${swapFacts.fstab}# /swap.img none swap sw 0 0\n`, swapUnits: ['swap.img.swap'], maskedUnits: ['swap.img.swap'] } },
  // Someone turned the swap file on again by hand; fstab and the mask are still in place.
  drift: { params: {}, facts: { ...swapFacts, activeSwaps: ['/swap.img'], swapUnits: ['swap.img.swap'], maskedUnits: ['swap.img.swap'] } },
};
