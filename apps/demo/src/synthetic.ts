import { createRng } from "@llminit/core";
import type { ItemFeatures } from "@llminit/data/browser";
import { InteractionLogBuilder } from "@llminit/data/browser";
import type { LoadedData } from "./parse-files.js";

/** Topics of the synthetic catalogue: each item's title is built from its topic's words. */
const TOPICS: readonly { nouns: readonly string[]; adjectives: readonly string[] }[] = [
  {
    nouns: ["running shoes", "trail sneakers", "sports socks", "training shorts", "running jacket", "sweatband"],
    adjectives: ["lightweight", "breathable", "cushioned", "reflective", "waterproof", "grippy"],
  },
  {
    nouns: ["ballpoint pens", "spiral notebook", "stapler", "sticky notes", "desk organizer", "highlighters"],
    adjectives: ["black", "refillable", "recycled", "office", "pocket", "heavy duty"],
  },
  {
    nouns: ["espresso machine", "coffee grinder", "french press", "milk frother", "tea kettle", "coffee beans"],
    adjectives: ["stainless steel", "electric", "dark roast", "manual", "barista", "ceramic"],
  },
  {
    nouns: ["camping tent", "sleeping bag", "hiking backpack", "trekking poles", "headlamp", "camp stove"],
    adjectives: ["ultralight", "four season", "compact", "insulated", "rugged", "foldable"],
  },
  {
    nouns: ["wireless headphones", "bluetooth speaker", "usb charger", "phone case", "smart watch", "hdmi cable"],
    adjectives: ["noise cancelling", "portable", "fast charging", "slim", "rechargeable", "braided"],
  },
  {
    nouns: ["board game", "jigsaw puzzle", "building blocks", "card game", "plush toy", "model kit"],
    adjectives: ["family", "1000 piece", "educational", "strategy", "colorful", "wooden"],
  },
];

/**
 * A small seeded catalogue with a planted structure that item text reveals: 6 topics × 40 items titled from
 * their topic's words, 300 users who each like one or two topics (rating 4–5) and now and then rate an item of
 * another topic low (2, dropped by the rating filter). Same seed, same data, in a page or in Node.
 */
export function syntheticDataset(seed = 2020): LoadedData {
  const rng = createRng(seed).child("demo-synthetic");
  const perTopic = 40;
  const users = 300;
  const features: ItemFeatures = new Map();
  const topicItems: string[][] = TOPICS.map(() => []);
  TOPICS.forEach((topic, t) => {
    for (let k = 0; k < perTopic; k++) {
      const id = `item-${t}-${k}`;
      const adjective = topic.adjectives[rng.int(topic.adjectives.length)];
      const noun = topic.nouns[k % topic.nouns.length];
      features.set(id, {
        title: `${adjective} ${noun} ${String.fromCharCode(65 + (k % 26))}${Math.floor(k / 26) + 1}`,
      });
      topicItems[t].push(id);
    }
  });
  const builder = new InteractionLogBuilder({ rating: true, timestamp: true });
  let time = 1_700_000_000;
  for (let u = 0; u < users; u++) {
    const first = rng.int(TOPICS.length);
    const liked = rng.next() < 0.4 ? [first, (first + 1 + rng.int(TOPICS.length - 1)) % TOPICS.length] : [first];
    const count = 12 + rng.int(12);
    for (let n = 0; n < count; n++) {
      const topic = liked[rng.int(liked.length)];
      // A few favourite items per topic are popular; the rest are drawn uniformly.
      const pool = topicItems[topic];
      const item = rng.next() < 0.3 ? pool[rng.int(8)] : pool[rng.int(pool.length)];
      builder.add(`user-${u}`, item, 4 + rng.int(2), time++);
    }
    for (let n = 0; n < 3; n++) {
      const other = topicItems[rng.int(TOPICS.length)];
      builder.add(`user-${u}`, other[rng.int(other.length)], 2, time++);
    }
  }
  return { name: "synthetic (6 topics)", log: builder.build(), features, textTemplate: "{title}", titleField: "title" };
}
