/**
 * Binary ROC AUC as the Mann–Whitney U statistic with mid-ranks for ties: the probability that a
 * random positive scores above a random negative, ties counting half. It equals the trapezoid area
 * under scikit-learn's `roc_curve` exactly, without building the curve. Undefined when only one
 * class occurs (scikit-learn raises there).
 */
export function rocAucBinary(positive: readonly boolean[], scores: readonly number[]): number | undefined {
  const n = positive.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  let positives = 0
  let rankSum = 0
  for (let start = 0; start < n; ) {
    let end = start
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++
    const midRank = (start + end + 2) / 2
    for (let k = start; k <= end; k++) {
      if (positive[order[k]!]) {
        positives++
        rankSum += midRank
      }
    }
    start = end + 1
  }
  const negatives = n - positives
  if (positives === 0 || negatives === 0) return undefined
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}
