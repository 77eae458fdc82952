//! BLAKE3's hash function (32-byte output, no key), written from its specification
//! (<https://github.com/BLAKE3-team/BLAKE3-specs>) so that this crate needs no hashing
//! crate: the `blake3` crate's build (its C compiler build dependency and SIMD back ends)
//! was four of the nine CPU seconds this helper took to build at a user's first start.
//! Plain scalar code: it only runs in save jobs, in the background; a value in memory is
//! hashed on every core at once (`hash_parallel`), as BLAKE3's tree allows. tmrepl reads
//! objects back through the `blake3` crate, which checks every object against its name;
//! tests compare the two on inputs around every block, chunk and tree boundary.

const IV: [u32; 8] = [
    0x6A09_E667,
    0xBB67_AE85,
    0x3C6E_F372,
    0xA54F_F53A,
    0x510E_527F,
    0x9B05_688C,
    0x1F83_D9AB,
    0x5BE0_CD19,
];
/// Where each message word of one round comes from in the next.
const SCHEDULE: [usize; 16] = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
const BLOCK: usize = 64;
/// Blocks per chunk (1024 bytes): chunks are the leaves of the hash tree.
const BLOCKS_PER_CHUNK: u32 = 16;
const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const PARENT: u32 = 4;
const ROOT: u32 = 8;
const CHUNK: usize = BLOCK * BLOCKS_PER_CHUNK as usize;
/// Below this, a part is hashed on the thread that has it: a thread costs more.
const PARALLEL_MIN: usize = 1 << 20;

#[inline(always)]
fn quarter_round(v: &mut [u32; 16], (a, b, c, d): (usize, usize, usize, usize), x: u32, y: u32) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(12);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(8);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(7);
}

/// The compression function: all 16 output words.
fn compress(cv: &[u32; 8], block: &[u32; 16], counter: u64, len: u32, flags: u32) -> [u32; 16] {
    let mut v = [0u32; 16];
    v[..8].copy_from_slice(cv);
    v[8..12].copy_from_slice(&IV[..4]);
    v[12] = counter as u32;
    v[13] = (counter >> 32) as u32;
    v[14] = len;
    v[15] = flags;
    let mut m = *block;
    for round in 0..7 {
        quarter_round(&mut v, (0, 4, 8, 12), m[0], m[1]);
        quarter_round(&mut v, (1, 5, 9, 13), m[2], m[3]);
        quarter_round(&mut v, (2, 6, 10, 14), m[4], m[5]);
        quarter_round(&mut v, (3, 7, 11, 15), m[6], m[7]);
        quarter_round(&mut v, (0, 5, 10, 15), m[8], m[9]);
        quarter_round(&mut v, (1, 6, 11, 12), m[10], m[11]);
        quarter_round(&mut v, (2, 7, 8, 13), m[12], m[13]);
        quarter_round(&mut v, (3, 4, 9, 14), m[14], m[15]);
        if round < 6 {
            m = std::array::from_fn(|i| m[SCHEDULE[i]]);
        }
    }
    for i in 0..8 {
        v[i] ^= v[i + 8];
        v[i + 8] ^= cv[i];
    }
    v
}

fn chaining_value(words: [u32; 16]) -> [u32; 8] {
    std::array::from_fn(|i| words[i])
}

fn block_words(bytes: &[u8; BLOCK]) -> [u32; 16] {
    std::array::from_fn(|i| {
        u32::from_le_bytes([
            bytes[4 * i],
            bytes[4 * i + 1],
            bytes[4 * i + 2],
            bytes[4 * i + 3],
        ])
    })
}

fn parent_block(left: &[u32; 8], right: &[u32; 8]) -> [u32; 16] {
    std::array::from_fn(|i| if i < 8 { left[i] } else { right[i - 8] })
}

/// An incremental BLAKE3 hasher.
pub struct Hasher {
    /// Chaining values of finished subtrees, largest first.
    subtrees: Vec<[u32; 8]>,
    /// Chunks finished so far: the index of the one being filled.
    chunks: u64,
    /// The chunk being filled: its chaining value and how many blocks are in it.
    chunk_cv: [u32; 8],
    chunk_blocks: u32,
    /// The chunk's last block so far, compressed only once more input shows it is not
    /// the chunk's (or the whole input's) last.
    block: [u8; BLOCK],
    block_len: usize,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher {
            subtrees: Vec::new(),
            chunks: 0,
            chunk_cv: IV,
            chunk_blocks: 0,
            block: [0; BLOCK],
            block_len: 0,
        }
    }
}

impl Hasher {
    fn start_flag(&self) -> u32 {
        if self.chunk_blocks == 0 {
            CHUNK_START
        } else {
            0
        }
    }

    pub fn update(&mut self, mut input: &[u8]) {
        while !input.is_empty() {
            if self.block_len == BLOCK {
                let words = block_words(&self.block);
                if self.chunk_blocks + 1 == BLOCKS_PER_CHUNK {
                    let flags = self.start_flag() | CHUNK_END;
                    let cv = compress(&self.chunk_cv, &words, self.chunks, BLOCK as u32, flags);
                    self.finish_chunk(chaining_value(cv));
                } else {
                    let flags = self.start_flag();
                    let cv = compress(&self.chunk_cv, &words, self.chunks, BLOCK as u32, flags);
                    self.chunk_cv = chaining_value(cv);
                    self.chunk_blocks += 1;
                }
                self.block_len = 0;
            }
            let take = (BLOCK - self.block_len).min(input.len());
            self.block[self.block_len..self.block_len + take].copy_from_slice(&input[..take]);
            self.block_len += take;
            input = &input[take..];
        }
    }

    /// Adds a finished chunk to the tree: each chunk count that is a multiple of two,
    /// four, eight... completes a subtree, merged with its left neighbour.
    fn finish_chunk(&mut self, mut cv: [u32; 8]) {
        self.chunks += 1;
        let mut count = self.chunks;
        while count & 1 == 0 {
            let Some(left) = self.subtrees.pop() else {
                break;
            };
            cv = chaining_value(compress(
                &IV,
                &parent_block(&left, &cv),
                0,
                BLOCK as u32,
                PARENT,
            ));
            count /= 2;
        }
        self.subtrees.push(cv);
        self.chunk_cv = IV;
        self.chunk_blocks = 0;
    }

    /// A hasher for a subtree whose first chunk is chunk `chunk` of the whole input.
    fn at_chunk(chunk: u64) -> Hasher {
        Hasher {
            chunks: chunk,
            ..Hasher::default()
        }
    }

    /// The hash of everything given to `update`, as 64 lowercase hex digits.
    pub fn finalize_hex(&self) -> String {
        hex(&self.finalize_words(ROOT))
    }

    /// The top node compressed, with flag `root` (`ROOT`, or 0 for a subtree whose
    /// chaining value a parent node takes).
    fn finalize_words(&self, root: u32) -> [u32; 16] {
        let mut last = [0u8; BLOCK];
        last[..self.block_len].copy_from_slice(&self.block[..self.block_len]);
        // The node still to compress: the open chunk's last block, then each parent up
        // the right edge of the tree; the top one is the root.
        let mut cv = self.chunk_cv;
        let mut words = block_words(&last);
        let mut counter = self.chunks;
        let mut len = self.block_len as u32;
        let mut flags = self.start_flag() | CHUNK_END;
        for left in self.subtrees.iter().rev() {
            let right = chaining_value(compress(&cv, &words, counter, len, flags));
            cv = IV;
            words = parent_block(left, &right);
            counter = 0;
            len = BLOCK as u32;
            flags = PARENT;
        }
        compress(&cv, &words, counter, len, flags | root)
    }
}

fn hex(words: &[u32; 16]) -> String {
    words[..8]
        .iter()
        .flat_map(|word| word.to_le_bytes())
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Bytes given as two pieces, one after the other (a length prefix, then a value's
/// memory), without copying them into one.
#[derive(Clone, Copy)]
struct Pieces<'a>(&'a [u8], &'a [u8]);

impl<'a> Pieces<'a> {
    fn len(self) -> usize {
        self.0.len() + self.1.len()
    }

    fn split_at(self, at: usize) -> (Pieces<'a>, Pieces<'a>) {
        if at <= self.0.len() {
            let (left, right) = self.0.split_at(at);
            (Pieces(left, &[]), Pieces(right, self.1))
        } else {
            let (left, right) = self.1.split_at(at - self.0.len());
            (Pieces(self.0, left), Pieces(&[], right))
        }
    }

    fn feed(self, hasher: &mut Hasher) {
        hasher.update(self.0);
        hasher.update(self.1);
    }
}

/// Where BLAKE3's tree splits `len` bytes (more than one chunk): the left subtree holds
/// the largest power of two of chunks below their number.
fn left_len(len: usize) -> usize {
    let chunks = len.div_ceil(CHUNK);
    (1usize << (usize::BITS - 1 - (chunks - 1).leading_zeros())) * CHUNK
}

/// The chaining values of `left` (whose first chunk is `chunk`) and `right` (the
/// subtree after it), the right one on a thread of its own when one can be had.
fn both(left: Pieces, right: Pieces, chunk: u64, threads: usize) -> ([u32; 8], [u32; 8]) {
    let right_chunk = chunk + (left.len() / CHUNK) as u64;
    let right_threads = threads - threads / 2;
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .spawn_scoped(scope, move || subtree(right, right_chunk, right_threads));
        let left_cv = subtree(left, chunk, threads / 2);
        // No thread to be had (a process limit): the right half here, after the left.
        let right_cv = match spawned.map(|thread| thread.join()) {
            Ok(Ok(cv)) => cv,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => subtree(right, right_chunk, 1),
        };
        (left_cv, right_cv)
    })
}

/// The chaining value of the subtree holding `input`, whose first chunk is `chunk`,
/// hashed on up to `threads` threads.
fn subtree(input: Pieces, chunk: u64, threads: usize) -> [u32; 8] {
    chaining_value(node(input, chunk, threads, 0))
}

/// The compressed top node of the tree (or subtree) holding `input`, whose first chunk is
/// `chunk`, with flag `root` (`ROOT` for the whole input, 0 for a subtree), hashed on up
/// to `threads` threads.
fn node(input: Pieces, chunk: u64, threads: usize, root: u32) -> [u32; 16] {
    if threads < 2 || input.len() < PARALLEL_MIN {
        let mut hasher = Hasher::at_chunk(chunk);
        input.feed(&mut hasher);
        return hasher.finalize_words(root);
    }
    let (left, right) = input.split_at(left_len(input.len()));
    let (left, right) = both(left, right, chunk, threads);
    compress(
        &IV,
        &parent_block(&left, &right),
        0,
        BLOCK as u32,
        PARENT | root,
    )
}

/// The hash of `prefix` followed by `body`, as `Hasher` gives it, computed on every core
/// the process may use: the two halves of BLAKE3's tree are independent.
pub fn hash_parallel(prefix: &[u8], body: &[u8]) -> String {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    hash_on_threads(prefix, body, threads)
}

/// `hash_parallel` on at most `threads` threads.
pub fn hash_on_threads(prefix: &[u8], body: &[u8], threads: usize) -> String {
    hex(&node(Pieces(prefix, body), 0, threads, ROOT))
}
