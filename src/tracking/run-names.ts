import { randomInt } from 'node:crypto'

// Friendly run names in MLflow's style ("bold-fox-42"), so runs are easy to tell apart in lists.
const ADJECTIVES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'gentle',
  'glad', 'grand', 'honest', 'keen', 'kind', 'lively', 'lucky', 'merry', 'nimble', 'polite',
  'proud', 'quick', 'quiet', 'rare', 'sharp', 'shy', 'silver', 'smart', 'steady', 'swift',
  'tidy', 'vivid', 'warm', 'wise', 'witty', 'zesty',
]
const NOUNS = [
  'ant', 'bass', 'bear', 'bee', 'crane', 'deer', 'dove', 'eel', 'finch', 'fox', 'frog', 'gull',
  'hawk', 'hen', 'ibis', 'koi', 'lark', 'lynx', 'mole', 'moth', 'newt', 'owl', 'panda', 'pike',
  'quail', 'ram', 'robin', 'seal', 'shrew', 'slug', 'snail', 'squid', 'stork', 'swan', 'toad',
  'trout', 'wasp', 'whale', 'wolf', 'wren', 'yak',
]

export function randomRunName(): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)]
  const noun = NOUNS[randomInt(NOUNS.length)]
  return `${adjective}-${noun}-${randomInt(1000)}`
}
