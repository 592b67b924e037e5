/*
 * dnp3.c - DNP3 over TCP and UDP port 20000 (IEEE 1815-2012): masters and
 * outstations by IP and link address, function codes, unsolicited
 * responses and Group 0 device attributes.
 *
 * Link frame (IEEE 1815 clause 9.2.4):
 *   start 0x05 0x64 (2) | length (1, 5..255: control + addresses + user data)
 *   | control (1) | destination (2, LE) | source (2, LE) | header CRC (2, LE)
 *   | user data in blocks of 16 bytes (the last one shorter), each followed
 *     by its CRC (2, LE)
 *   control: DIR 0x80 (sent by the master) | PRM 0x40 (primary) | FCB 0x20
 *   | FCV/DFC 0x10 | function (4 bits; primary 3/4 carry user data)
 * Transport header (clause 8.2): FIN 0x80 | FIR 0x40 | sequence (6 bits).
 * Application fragment (clause 4.2.2):
 *   request  application control (1) | function (1) | objects
 *   response application control (1) | function (1) | IIN (2) | objects
 * A frame with any bad CRC is counted and ignored as a whole.
 *
 * Operations (core/ops.h): the request functions that act on an outstation
 * (clause 4.2.2.5, table 4-1) are reported with the objects they name; the
 * response with the same application sequence number makes the outcome:
 * refused when IIN2 says function not supported, object unknown, parameter
 * error or already executing (clause 4.2.2.7.2), or when an echoed control
 * (g12v1 CROB, g41 analog output) carries a non-zero status (table 11-7).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

enum dnp3_counter {
	DNP3_BAD_CRC,		/* header or block CRC wrong: frame ignored */
	DNP3_FRAG_DROPPED,	/* transport segment out of sequence or too big */
	DNP3_BAD_APP,		/* application header or object header malformed */
	DNP3_CONTROL,		/* select / operate / direct operate */
	DNP3_RESTART,		/* cold / warm restart */
	DNP3_FILE,		/* file transfer functions */
	DNP3_TIME_SYNC,		/* delay measurement, record time, write g50 */
	DNP3_UNSOLICITED,	/* unsolicited responses */
};

#define LINK_START0	0x05
#define LINK_START1	0x64
#define LINK_HDR_LEN	10	/* start .. header CRC */
#define LINK_LEN_MIN	5	/* control + destination + source */
#define LINK_BLOCK	16
#define LINK_UD_MAX	(255 - LINK_LEN_MIN)

#define CTL_DIR		0x80
#define CTL_PRM		0x40
#define CTL_FUNC	0x0f
#define PRI_CONFIRMED_DATA	3
#define PRI_UNCONFIRMED_DATA	4

#define TH_FIN_BIT	0x80
#define TH_FIR_BIT	0x40
#define TH_SEQ		0x3f

#define ADDR_RESERVED	0xfff0	/* 0xfff0..0xffff: self address and broadcast */

#define FC_READ		1
#define FC_WRITE	2
#define FC_SELECT	3
#define FC_OPEN_FILE	25
#define FC_CLOSE_FILE	26
#define FC_RESPONSE	129
#define FC_UNSOLICITED	130

#define FRAG_INITIAL	2048	/* first buffer for a multi-segment fragment */

/* Transport reassembly of one direction. */
struct dnp3_reasm {
	uint8_t		*buf;
	size_t		 len, cap;
	uint16_t	 src, dst;
	uint8_t		 next_seq;
	bool		 active;
};

/* The last operation requested in one direction, until its response. */
struct dnp3_pending {
	uint8_t		 kind;		/* enum op_kind; OP_NONE: nothing awaited */
	uint8_t		 seq;		/* application sequence number */
	struct fact_name src;		/* service of the request */
};

struct dnp3_state {
	struct dnp3_reasm rs[2];	/* [DIR_C2S], [DIR_S2C] */
	struct dnp3_pending pending[2];	/* by the request's direction */
	uint8_t		 file_kind;	/* what the last open_file opened for (close_file is that) */
	/* link addresses last reported per direction, and when */
	uint32_t	 roles_pair[2];
	bool		 roles_master[2];
	uint64_t	 roles_us[2];
};

/*
 * CRC-16/DNP: polynomial 0x3d65 (reflected 0xa6bc), complemented (bit by
 * bit, it was a tenth of the per-packet instructions on DNP3 traffic).
 * Four bytes at a time ("slicing by 4"): dnp3_crc_table[k][i] is the
 * register after shifting byte i and then k zero bytes through the eight
 * rounds of the bitwise definition from 0, so a step of four bytes is four
 * lookups; dnp3_crc_table[0] alone is the byte-at-a-time table.  Blocks
 * are 8 (header) or at most 16 bytes.  test_dnp3 builds its frames with a
 * bitwise CRC of its own and reads real captures.
 */
static const uint16_t dnp3_crc_table[4][256] = {
	{
		0x0000, 0x365e, 0x6cbc, 0x5ae2, 0xd978, 0xef26, 0xb5c4, 0x839a,
		0xff89, 0xc9d7, 0x9335, 0xa56b, 0x26f1, 0x10af, 0x4a4d, 0x7c13,
		0xb26b, 0x8435, 0xded7, 0xe889, 0x6b13, 0x5d4d, 0x07af, 0x31f1,
		0x4de2, 0x7bbc, 0x215e, 0x1700, 0x949a, 0xa2c4, 0xf826, 0xce78,
		0x29af, 0x1ff1, 0x4513, 0x734d, 0xf0d7, 0xc689, 0x9c6b, 0xaa35,
		0xd626, 0xe078, 0xba9a, 0x8cc4, 0x0f5e, 0x3900, 0x63e2, 0x55bc,
		0x9bc4, 0xad9a, 0xf778, 0xc126, 0x42bc, 0x74e2, 0x2e00, 0x185e,
		0x644d, 0x5213, 0x08f1, 0x3eaf, 0xbd35, 0x8b6b, 0xd189, 0xe7d7,
		0x535e, 0x6500, 0x3fe2, 0x09bc, 0x8a26, 0xbc78, 0xe69a, 0xd0c4,
		0xacd7, 0x9a89, 0xc06b, 0xf635, 0x75af, 0x43f1, 0x1913, 0x2f4d,
		0xe135, 0xd76b, 0x8d89, 0xbbd7, 0x384d, 0x0e13, 0x54f1, 0x62af,
		0x1ebc, 0x28e2, 0x7200, 0x445e, 0xc7c4, 0xf19a, 0xab78, 0x9d26,
		0x7af1, 0x4caf, 0x164d, 0x2013, 0xa389, 0x95d7, 0xcf35, 0xf96b,
		0x8578, 0xb326, 0xe9c4, 0xdf9a, 0x5c00, 0x6a5e, 0x30bc, 0x06e2,
		0xc89a, 0xfec4, 0xa426, 0x9278, 0x11e2, 0x27bc, 0x7d5e, 0x4b00,
		0x3713, 0x014d, 0x5baf, 0x6df1, 0xee6b, 0xd835, 0x82d7, 0xb489,
		0xa6bc, 0x90e2, 0xca00, 0xfc5e, 0x7fc4, 0x499a, 0x1378, 0x2526,
		0x5935, 0x6f6b, 0x3589, 0x03d7, 0x804d, 0xb613, 0xecf1, 0xdaaf,
		0x14d7, 0x2289, 0x786b, 0x4e35, 0xcdaf, 0xfbf1, 0xa113, 0x974d,
		0xeb5e, 0xdd00, 0x87e2, 0xb1bc, 0x3226, 0x0478, 0x5e9a, 0x68c4,
		0x8f13, 0xb94d, 0xe3af, 0xd5f1, 0x566b, 0x6035, 0x3ad7, 0x0c89,
		0x709a, 0x46c4, 0x1c26, 0x2a78, 0xa9e2, 0x9fbc, 0xc55e, 0xf300,
		0x3d78, 0x0b26, 0x51c4, 0x679a, 0xe400, 0xd25e, 0x88bc, 0xbee2,
		0xc2f1, 0xf4af, 0xae4d, 0x9813, 0x1b89, 0x2dd7, 0x7735, 0x416b,
		0xf5e2, 0xc3bc, 0x995e, 0xaf00, 0x2c9a, 0x1ac4, 0x4026, 0x7678,
		0x0a6b, 0x3c35, 0x66d7, 0x5089, 0xd313, 0xe54d, 0xbfaf, 0x89f1,
		0x4789, 0x71d7, 0x2b35, 0x1d6b, 0x9ef1, 0xa8af, 0xf24d, 0xc413,
		0xb800, 0x8e5e, 0xd4bc, 0xe2e2, 0x6178, 0x5726, 0x0dc4, 0x3b9a,
		0xdc4d, 0xea13, 0xb0f1, 0x86af, 0x0535, 0x336b, 0x6989, 0x5fd7,
		0x23c4, 0x159a, 0x4f78, 0x7926, 0xfabc, 0xcce2, 0x9600, 0xa05e,
		0x6e26, 0x5878, 0x029a, 0x34c4, 0xb75e, 0x8100, 0xdbe2, 0xedbc,
		0x91af, 0xa7f1, 0xfd13, 0xcb4d, 0x48d7, 0x7e89, 0x246b, 0x1235,
	},
	{
		0x0000, 0xab4e, 0x1be5, 0xb0ab, 0x37ca, 0x9c84, 0x2c2f, 0x8761,
		0x6f94, 0xc4da, 0x7471, 0xdf3f, 0x585e, 0xf310, 0x43bb, 0xe8f5,
		0xdf28, 0x7466, 0xc4cd, 0x6f83, 0xe8e2, 0x43ac, 0xf307, 0x5849,
		0xb0bc, 0x1bf2, 0xab59, 0x0017, 0x8776, 0x2c38, 0x9c93, 0x37dd,
		0xf329, 0x5867, 0xe8cc, 0x4382, 0xc4e3, 0x6fad, 0xdf06, 0x7448,
		0x9cbd, 0x37f3, 0x8758, 0x2c16, 0xab77, 0x0039, 0xb092, 0x1bdc,
		0x2c01, 0x874f, 0x37e4, 0x9caa, 0x1bcb, 0xb085, 0x002e, 0xab60,
		0x4395, 0xe8db, 0x5870, 0xf33e, 0x745f, 0xdf11, 0x6fba, 0xc4f4,
		0xab2b, 0x0065, 0xb0ce, 0x1b80, 0x9ce1, 0x37af, 0x8704, 0x2c4a,
		0xc4bf, 0x6ff1, 0xdf5a, 0x7414, 0xf375, 0x583b, 0xe890, 0x43de,
		0x7403, 0xdf4d, 0x6fe6, 0xc4a8, 0x43c9, 0xe887, 0x582c, 0xf362,
		0x1b97, 0xb0d9, 0x0072, 0xab3c, 0x2c5d, 0x8713, 0x37b8, 0x9cf6,
		0x5802, 0xf34c, 0x43e7, 0xe8a9, 0x6fc8, 0xc486, 0x742d, 0xdf63,
		0x3796, 0x9cd8, 0x2c73, 0x873d, 0x005c, 0xab12, 0x1bb9, 0xb0f7,
		0x872a, 0x2c64, 0x9ccf, 0x3781, 0xb0e0, 0x1bae, 0xab05, 0x004b,
		0xe8be, 0x43f0, 0xf35b, 0x5815, 0xdf74, 0x743a, 0xc491, 0x6fdf,
		0x1b2f, 0xb061, 0x00ca, 0xab84, 0x2ce5, 0x87ab, 0x3700, 0x9c4e,
		0x74bb, 0xdff5, 0x6f5e, 0xc410, 0x4371, 0xe83f, 0x5894, 0xf3da,
		0xc407, 0x6f49, 0xdfe2, 0x74ac, 0xf3cd, 0x5883, 0xe828, 0x4366,
		0xab93, 0x00dd, 0xb076, 0x1b38, 0x9c59, 0x3717, 0x87bc, 0x2cf2,
		0xe806, 0x4348, 0xf3e3, 0x58ad, 0xdfcc, 0x7482, 0xc429, 0x6f67,
		0x8792, 0x2cdc, 0x9c77, 0x3739, 0xb058, 0x1b16, 0xabbd, 0x00f3,
		0x372e, 0x9c60, 0x2ccb, 0x8785, 0x00e4, 0xabaa, 0x1b01, 0xb04f,
		0x58ba, 0xf3f4, 0x435f, 0xe811, 0x6f70, 0xc43e, 0x7495, 0xdfdb,
		0xb004, 0x1b4a, 0xabe1, 0x00af, 0x87ce, 0x2c80, 0x9c2b, 0x3765,
		0xdf90, 0x74de, 0xc475, 0x6f3b, 0xe85a, 0x4314, 0xf3bf, 0x58f1,
		0x6f2c, 0xc462, 0x74c9, 0xdf87, 0x58e6, 0xf3a8, 0x4303, 0xe84d,
		0x00b8, 0xabf6, 0x1b5d, 0xb013, 0x3772, 0x9c3c, 0x2c97, 0x87d9,
		0x432d, 0xe863, 0x58c8, 0xf386, 0x74e7, 0xdfa9, 0x6f02, 0xc44c,
		0x2cb9, 0x87f7, 0x375c, 0x9c12, 0x1b73, 0xb03d, 0x0096, 0xabd8,
		0x9c05, 0x374b, 0x87e0, 0x2cae, 0xabcf, 0x0081, 0xb02a, 0x1b64,
		0xf391, 0x58df, 0xe874, 0x433a, 0xc45b, 0x6f15, 0xdfbe, 0x74f0,
	},
	{
		0x0000, 0x19b8, 0x3370, 0x2ac8, 0x66e0, 0x7f58, 0x5590, 0x4c28,
		0xcdc0, 0xd478, 0xfeb0, 0xe708, 0xab20, 0xb298, 0x9850, 0x81e8,
		0xd6f9, 0xcf41, 0xe589, 0xfc31, 0xb019, 0xa9a1, 0x8369, 0x9ad1,
		0x1b39, 0x0281, 0x2849, 0x31f1, 0x7dd9, 0x6461, 0x4ea9, 0x5711,
		0xe08b, 0xf933, 0xd3fb, 0xca43, 0x866b, 0x9fd3, 0xb51b, 0xaca3,
		0x2d4b, 0x34f3, 0x1e3b, 0x0783, 0x4bab, 0x5213, 0x78db, 0x6163,
		0x3672, 0x2fca, 0x0502, 0x1cba, 0x5092, 0x492a, 0x63e2, 0x7a5a,
		0xfbb2, 0xe20a, 0xc8c2, 0xd17a, 0x9d52, 0x84ea, 0xae22, 0xb79a,
		0x8c6f, 0x95d7, 0xbf1f, 0xa6a7, 0xea8f, 0xf337, 0xd9ff, 0xc047,
		0x41af, 0x5817, 0x72df, 0x6b67, 0x274f, 0x3ef7, 0x143f, 0x0d87,
		0x5a96, 0x432e, 0x69e6, 0x705e, 0x3c76, 0x25ce, 0x0f06, 0x16be,
		0x9756, 0x8eee, 0xa426, 0xbd9e, 0xf1b6, 0xe80e, 0xc2c6, 0xdb7e,
		0x6ce4, 0x755c, 0x5f94, 0x462c, 0x0a04, 0x13bc, 0x3974, 0x20cc,
		0xa124, 0xb89c, 0x9254, 0x8bec, 0xc7c4, 0xde7c, 0xf4b4, 0xed0c,
		0xba1d, 0xa3a5, 0x896d, 0x90d5, 0xdcfd, 0xc545, 0xef8d, 0xf635,
		0x77dd, 0x6e65, 0x44ad, 0x5d15, 0x113d, 0x0885, 0x224d, 0x3bf5,
		0x55a7, 0x4c1f, 0x66d7, 0x7f6f, 0x3347, 0x2aff, 0x0037, 0x198f,
		0x9867, 0x81df, 0xab17, 0xb2af, 0xfe87, 0xe73f, 0xcdf7, 0xd44f,
		0x835e, 0x9ae6, 0xb02e, 0xa996, 0xe5be, 0xfc06, 0xd6ce, 0xcf76,
		0x4e9e, 0x5726, 0x7dee, 0x6456, 0x287e, 0x31c6, 0x1b0e, 0x02b6,
		0xb52c, 0xac94, 0x865c, 0x9fe4, 0xd3cc, 0xca74, 0xe0bc, 0xf904,
		0x78ec, 0x6154, 0x4b9c, 0x5224, 0x1e0c, 0x07b4, 0x2d7c, 0x34c4,
		0x63d5, 0x7a6d, 0x50a5, 0x491d, 0x0535, 0x1c8d, 0x3645, 0x2ffd,
		0xae15, 0xb7ad, 0x9d65, 0x84dd, 0xc8f5, 0xd14d, 0xfb85, 0xe23d,
		0xd9c8, 0xc070, 0xeab8, 0xf300, 0xbf28, 0xa690, 0x8c58, 0x95e0,
		0x1408, 0x0db0, 0x2778, 0x3ec0, 0x72e8, 0x6b50, 0x4198, 0x5820,
		0x0f31, 0x1689, 0x3c41, 0x25f9, 0x69d1, 0x7069, 0x5aa1, 0x4319,
		0xc2f1, 0xdb49, 0xf181, 0xe839, 0xa411, 0xbda9, 0x9761, 0x8ed9,
		0x3943, 0x20fb, 0x0a33, 0x138b, 0x5fa3, 0x461b, 0x6cd3, 0x756b,
		0xf483, 0xed3b, 0xc7f3, 0xde4b, 0x9263, 0x8bdb, 0xa113, 0xb8ab,
		0xefba, 0xf602, 0xdcca, 0xc572, 0x895a, 0x90e2, 0xba2a, 0xa392,
		0x227a, 0x3bc2, 0x110a, 0x08b2, 0x449a, 0x5d22, 0x77ea, 0x6e52,
	},
	{
		0x0000, 0xc2e8, 0xc8a9, 0x0a41, 0xdc2b, 0x1ec3, 0x1482, 0xd66a,
		0xf52f, 0x37c7, 0x3d86, 0xff6e, 0x2904, 0xebec, 0xe1ad, 0x2345,
		0xa727, 0x65cf, 0x6f8e, 0xad66, 0x7b0c, 0xb9e4, 0xb3a5, 0x714d,
		0x5208, 0x90e0, 0x9aa1, 0x5849, 0x8e23, 0x4ccb, 0x468a, 0x8462,
		0x0337, 0xc1df, 0xcb9e, 0x0976, 0xdf1c, 0x1df4, 0x17b5, 0xd55d,
		0xf618, 0x34f0, 0x3eb1, 0xfc59, 0x2a33, 0xe8db, 0xe29a, 0x2072,
		0xa410, 0x66f8, 0x6cb9, 0xae51, 0x783b, 0xbad3, 0xb092, 0x727a,
		0x513f, 0x93d7, 0x9996, 0x5b7e, 0x8d14, 0x4ffc, 0x45bd, 0x8755,
		0x066e, 0xc486, 0xcec7, 0x0c2f, 0xda45, 0x18ad, 0x12ec, 0xd004,
		0xf341, 0x31a9, 0x3be8, 0xf900, 0x2f6a, 0xed82, 0xe7c3, 0x252b,
		0xa149, 0x63a1, 0x69e0, 0xab08, 0x7d62, 0xbf8a, 0xb5cb, 0x7723,
		0x5466, 0x968e, 0x9ccf, 0x5e27, 0x884d, 0x4aa5, 0x40e4, 0x820c,
		0x0559, 0xc7b1, 0xcdf0, 0x0f18, 0xd972, 0x1b9a, 0x11db, 0xd333,
		0xf076, 0x329e, 0x38df, 0xfa37, 0x2c5d, 0xeeb5, 0xe4f4, 0x261c,
		0xa27e, 0x6096, 0x6ad7, 0xa83f, 0x7e55, 0xbcbd, 0xb6fc, 0x7414,
		0x5751, 0x95b9, 0x9ff8, 0x5d10, 0x8b7a, 0x4992, 0x43d3, 0x813b,
		0x0cdc, 0xce34, 0xc475, 0x069d, 0xd0f7, 0x121f, 0x185e, 0xdab6,
		0xf9f3, 0x3b1b, 0x315a, 0xf3b2, 0x25d8, 0xe730, 0xed71, 0x2f99,
		0xabfb, 0x6913, 0x6352, 0xa1ba, 0x77d0, 0xb538, 0xbf79, 0x7d91,
		0x5ed4, 0x9c3c, 0x967d, 0x5495, 0x82ff, 0x4017, 0x4a56, 0x88be,
		0x0feb, 0xcd03, 0xc742, 0x05aa, 0xd3c0, 0x1128, 0x1b69, 0xd981,
		0xfac4, 0x382c, 0x326d, 0xf085, 0x26ef, 0xe407, 0xee46, 0x2cae,
		0xa8cc, 0x6a24, 0x6065, 0xa28d, 0x74e7, 0xb60f, 0xbc4e, 0x7ea6,
		0x5de3, 0x9f0b, 0x954a, 0x57a2, 0x81c8, 0x4320, 0x4961, 0x8b89,
		0x0ab2, 0xc85a, 0xc21b, 0x00f3, 0xd699, 0x1471, 0x1e30, 0xdcd8,
		0xff9d, 0x3d75, 0x3734, 0xf5dc, 0x23b6, 0xe15e, 0xeb1f, 0x29f7,
		0xad95, 0x6f7d, 0x653c, 0xa7d4, 0x71be, 0xb356, 0xb917, 0x7bff,
		0x58ba, 0x9a52, 0x9013, 0x52fb, 0x8491, 0x4679, 0x4c38, 0x8ed0,
		0x0985, 0xcb6d, 0xc12c, 0x03c4, 0xd5ae, 0x1746, 0x1d07, 0xdfef,
		0xfcaa, 0x3e42, 0x3403, 0xf6eb, 0x2081, 0xe269, 0xe828, 0x2ac0,
		0xaea2, 0x6c4a, 0x660b, 0xa4e3, 0x7289, 0xb061, 0xba20, 0x78c8,
		0x5b8d, 0x9965, 0x9324, 0x51cc, 0x87a6, 0x454e, 0x4f0f, 0x8de7,
	},
};

/* The bytes are checked once, as the block's sub-cursor, not one at a time. */
static uint16_t
dnp3_crc(struct cur c)
{
	const uint8_t *p = cur_ptr(&c);
	size_t n = cur_left(&c), i = 0;
	uint16_t crc = 0;

	/* the register's low byte meets the step's first byte, its high byte the second */
	for (; n - i >= 4; i += 4)
		crc = (uint16_t)(dnp3_crc_table[3][(crc & 0xff) ^ p[i]] ^
		    dnp3_crc_table[2][(crc >> 8) ^ p[i + 1]] ^
		    dnp3_crc_table[1][p[i + 2]] ^ dnp3_crc_table[0][p[i + 3]]);
	for (; i < n; i++)
		crc = (uint16_t)((crc >> 8) ^ dnp3_crc_table[0][(crc ^ p[i]) & 0xff]);
	return (uint16_t)~crc;
}

/* Take n data bytes and the CRC after them; true if it matches. */
static bool
crc_block(struct cur *c, size_t n, struct cur *data)
{
	uint16_t crc;

	if (!cur_take(c, n, data) || !cur_le16(c, &crc))
		return false;
	return dnp3_crc(*data) == crc;
}

static size_t
frame_size(uint8_t len)
{
	size_t ud = (size_t)len - LINK_LEN_MIN;

	return LINK_HDR_LEN + ud + 2 * ((ud + LINK_BLOCK - 1) / LINK_BLOCK);
}

/* Is the unread data a link header with a good CRC?  Sets *len. */
static bool
link_header_ok(const struct cur *c, uint8_t *len)
{
	struct cur hdr = *c, data;
	uint8_t s0, s1;

	if (!cur_peek_u8(c, 0, &s0) || !cur_peek_u8(c, 1, &s1) ||
	    !cur_peek_u8(c, 2, len))
		return false;
	if (s0 != LINK_START0 || s1 != LINK_START1 || *len < LINK_LEN_MIN)
		return false;
	return crc_block(&hdr, LINK_HDR_LEN - 2, &data);
}

static bool
is_device_addr(uint16_t a)
{
	return a < ADDR_RESERVED;
}

static void
addr_fact(struct diss_ctx *dc, enum side s, uint16_t addr, bool master)
{
	if (!is_device_addr(addr))
		return;
	diss_fact_str(dc, s, A_ROLE, master ? R_DNP3_MASTER : R_DNP3_OUTSTATION,
	    "dnp3", CONF_STATED);
	diss_fact_num_fn(dc, s, FN(A_DNP3_ADDR),
	    master ? FN("dnp3/master") : FN("dnp3/outstation"), CONF_STATED, "", addr);
}

/*
 * DIR=1: the source is a master and the destination an outstation.  A
 * flow repeats the same pair on every frame: reported once per refresh.
 */
static void
link_roles(struct diss_ctx *dc, uint8_t ctl, uint16_t src, uint16_t dst)
{
	struct dnp3_state *st = dc->state;
	bool from_master = (ctl & CTL_DIR) != 0;
	uint32_t pair = (uint32_t)src << 16 | dst;

	if (st) {
		int k = dc->dir == DIR_C2S ? 0 : 1;

		if (st->roles_pair[k] == pair && st->roles_master[k] == from_master &&
		    !diss_due(dc, &st->roles_us[k]))
			return;
		st->roles_pair[k] = pair;
		st->roles_master[k] = from_master;
		st->roles_us[k] = diss_now(dc);
	}
	addr_fact(dc, SIDE_SRC, src, from_master);
	addr_fact(dc, SIDE_DST, dst, !from_master);
}

static struct fact_name
fc_source(uint8_t fc)
{
	switch (fc) {
	case 2: return FN("dnp3/fc2");
	case 3: return FN("dnp3/fc3");
	case 4: return FN("dnp3/fc4");
	case 5: return FN("dnp3/fc5");
	case 6: return FN("dnp3/fc6");
	case 13: return FN("dnp3/fc13");
	case 14: return FN("dnp3/fc14");
	case 23: return FN("dnp3/fc23");
	case 24: return FN("dnp3/fc24");
	case 25: return FN("dnp3/fc25");
	case 26: return FN("dnp3/fc26");
	case 27: return FN("dnp3/fc27");
	case 28: return FN("dnp3/fc28");
	case 29: return FN("dnp3/fc29");
	case 30: return FN("dnp3/fc30");
	case 130: return FN("dnp3/fc130");
	}
	return FN("dnp3/request");
}

static void
call_out(struct diss_ctx *dc, unsigned counter, const char *note, uint8_t fc)
{
	diss_count(dc, counter);
	diss_fact_str_fn(dc, SIDE_SRC, FN(A_NOTE), note, fc_source(fc), CONF_STATED);
}

/* A write whose first object is g50 (time and date) sets the clock. */
static bool
writes_time(const struct cur *objs)
{
	uint8_t group;

	return cur_peek_u8(objs, 0, &group) && group == 50;
}

static void	dnp3_operation(struct diss_ctx *dc, uint8_t ac, uint8_t fc, const struct cur *objs);
static void	dnp3_op_response(struct diss_ctx *dc, uint8_t ac, uint16_t iin, const struct cur *objs);

static void
dnp3_request(struct diss_ctx *dc, uint8_t ac, uint8_t fc, const struct cur *objs)
{
	diss_fact_num(dc, SIDE_SRC, A_FUNCTION, "dnp3/request", CONF_STATED,
	    "dnp3:", fc);
	if (fc >= 3 && fc <= 6)
		call_out(dc, DNP3_CONTROL, "dnp3_control", fc);
	else if (fc == 13 || fc == 14)
		call_out(dc, DNP3_RESTART, "dnp3_restart", fc);
	else if (fc >= 25 && fc <= 30)
		call_out(dc, DNP3_FILE, "dnp3_file", fc);
	else if (fc == 23 || fc == 24 || (fc == FC_WRITE && writes_time(objs)))
		call_out(dc, DNP3_TIME_SYNC, "dnp3_time_sync", fc);
	dnp3_operation(dc, ac, fc, objs);
}

/*
 * Group 0 device attributes (IEEE 1815-2012 clause 11.9 / A.2): the
 * variation names the attribute; each object is
 *   data type code (1: 1 VSTR, 2 UINT, 3 INT, 4 FLT, 5 OSTR, 6 BSTR, ...)
 *   | length (1) | value (length)
 */
#define G0_VSTR	1
#define G0_OSTR	5

static const struct {
	uint8_t		 var;
	struct fact_name attr;
	struct fact_name src;
	const char	*label;		/* notes: "label=value" */
} g0_attrs[] = {
	{ 242, FN(A_FIRMWARE), FN("dnp3/g0v242"), NULL },	/* manufacturer's software version */
	{ 243, FN(A_HARDWARE), FN("dnp3/g0v243"), NULL },	/* manufacturer's hardware version */
	{ 244, FN(A_CONTACT), FN("dnp3/g0v244"), NULL },	/* user-assigned owner name */
	{ 245, FN(A_LOCATION), FN("dnp3/g0v245"), NULL },	/* user-assigned location name */
	{ 246, FN(A_NOTE), FN("dnp3/g0v246"), "id_code" },	/* user-assigned ID code/number */
	{ 247, FN(A_DEVICE_NAME), FN("dnp3/g0v247"), NULL },	/* user-assigned device name */
	{ 248, FN(A_SERIAL), FN("dnp3/g0v248"), NULL },	/* device serial number */
	{ 249, FN(A_NOTE), FN("dnp3/g0v249"), "subset" },	/* DNP3 subset and conformance */
	{ 250, FN(A_MODEL), FN("dnp3/g0v250"), NULL },	/* product name and model */
	{ 252, FN(A_VENDOR), FN("dnp3/g0v252"), NULL },	/* manufacturer's name */
};

static void
g0_attribute(struct diss_ctx *dc, uint8_t var, uint8_t type, const uint8_t *val,
    uint8_t len)
{
	if ((type != G0_VSTR && type != G0_OSTR) || len == 0)
		return;
	for (size_t i = 0; i < sizeof(g0_attrs) / sizeof(g0_attrs[0]); i++) {
		if (g0_attrs[i].var != var)
			continue;
		if (g0_attrs[i].label)
			diss_factf_fn(dc, SIDE_SRC, FN(A_NOTE), g0_attrs[i].src, CONF_STATED,
			    "%s=%.*s", g0_attrs[i].label, (int)len, (const char *)val);
		else
			diss_fact_fn(dc, SIDE_SRC, g0_attrs[i].attr, val, len,
			    g0_attrs[i].src, CONF_STATED);
		return;
	}
}

/* Size of one object of a fixed-size group/variation; 0 if unknown. */
static size_t
object_size(uint8_t g, uint8_t v)
{
	static const struct { uint8_t g, v, size; } sizes[] = {
		{ 1, 2, 1 }, { 2, 1, 1 }, { 2, 2, 7 }, { 2, 3, 3 },
		{ 3, 2, 1 }, { 4, 1, 1 }, { 4, 2, 7 }, { 4, 3, 3 },
		{ 10, 2, 1 }, { 11, 1, 1 }, { 11, 2, 7 }, { 12, 1, 11 },
		{ 13, 1, 1 }, { 13, 2, 7 },
		{ 20, 1, 5 }, { 20, 2, 3 }, { 20, 5, 4 }, { 20, 6, 2 },
		{ 21, 1, 5 }, { 21, 2, 3 }, { 21, 5, 11 }, { 21, 6, 9 },
		{ 21, 9, 4 }, { 21, 10, 2 },
		{ 22, 1, 5 }, { 22, 2, 3 }, { 22, 5, 11 }, { 22, 6, 9 },
		{ 23, 1, 5 }, { 23, 2, 3 }, { 23, 5, 11 }, { 23, 6, 9 },
		{ 30, 1, 5 }, { 30, 2, 3 }, { 30, 3, 4 }, { 30, 4, 2 },
		{ 30, 5, 5 }, { 30, 6, 9 },
		{ 32, 1, 5 }, { 32, 2, 3 }, { 32, 3, 11 }, { 32, 4, 9 },
		{ 32, 5, 5 }, { 32, 6, 9 }, { 32, 7, 11 }, { 32, 8, 15 },
		{ 40, 1, 5 }, { 40, 2, 3 }, { 40, 3, 5 }, { 40, 4, 9 },
		{ 41, 1, 5 }, { 41, 2, 3 }, { 41, 3, 5 }, { 41, 4, 9 },
		{ 42, 1, 5 }, { 42, 2, 3 }, { 42, 5, 11 }, { 42, 6, 9 },
		{ 50, 1, 6 }, { 50, 3, 6 }, { 51, 1, 6 }, { 51, 2, 6 },
		{ 52, 1, 2 }, { 52, 2, 2 },
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i].g == g && sizes[i].v == v)
			return sizes[i].size;
	return 0;
}

/* Packed objects: bits per point, 0 if not packed. */
static unsigned
packed_bits(uint8_t g, uint8_t v)
{
	if ((g == 1 || g == 10 || g == 80) && v == 1)
		return 1;
	if (g == 3 && v == 1)
		return 2;
	return 0;
}

/*
 * Object header (clause 4.2.2.7): group (1) | variation (1) | qualifier (1)
 * | range: start/stop (1, 2 or 4 bytes each, codes 0-5), none (6), count
 * (1, 2 or 4 bytes, codes 7-9), or count (1) of variable objects (0xb).
 * Qualifier bits 4-6: prefix before each object, an index (1, 2, 4 bytes;
 * codes 1-3) or an object size (1, 2, 4 bytes; codes 4-6).
 * Returns the object count, or -1 if the header is malformed.
 */
static long
range_count(struct cur *c, uint8_t q)
{
	uint32_t start = 0, stop = 0, count = 0;
	uint16_t v16, w16;
	uint8_t v8, w8;

	switch (q & 0x0f) {
	case 0: case 3:
		if (!cur_u8(c, &v8) || !cur_u8(c, &w8))
			return -1;
		start = v8, stop = w8;
		break;
	case 1: case 4:
		if (!cur_le16(c, &v16) || !cur_le16(c, &w16))
			return -1;
		start = v16, stop = w16;
		break;
	case 2: case 5:
		if (!cur_le32(c, &start) || !cur_le32(c, &stop))
			return -1;
		break;
	case 6:
		return 0;
	case 7: case 0xb:
		if (!cur_u8(c, &v8))
			return -1;
		return v8;
	case 8:
		if (!cur_le16(c, &v16))
			return -1;
		return v16;
	case 9:
		if (!cur_le32(c, &count))
			return -1;
		return (long)count;
	default:
		return -1;
	}
	if (stop < start)
		return -1;
	return (long)(stop - start) + 1;
}

static size_t
prefix_width(uint8_t code)
{
	static const uint8_t w[8] = { 0, 1, 2, 4, 1, 2, 4, 0 };

	return w[code & 7];
}

static bool
read_prefix(struct cur *c, size_t width, uint32_t *v)
{
	uint16_t v16;
	uint8_t v8;

	switch (width) {
	case 0:
		*v = 0;
		return true;
	case 1:
		if (!cur_u8(c, &v8))
			return false;
		*v = v8;
		return true;
	case 2:
		if (!cur_le16(c, &v16))
			return false;
		*v = v16;
		return true;
	}
	return cur_le32(c, v);
}

/* Group 0 objects: [prefix] type (1) | length (1) | value. */
static bool
g0_objects(struct diss_ctx *dc, struct cur *c, uint8_t var, uint8_t q, long count)
{
	size_t pw = prefix_width((uint8_t)(q >> 4));
	const uint8_t *val;
	uint32_t prefix;
	uint8_t type, len;

	for (long i = 0; i < count && i < DISS_MAX_ITEMS; i++) {
		if (!read_prefix(c, pw, &prefix) || !cur_u8(c, &type) ||
		    !cur_u8(c, &len) || !diss_str(c, len, &val))
			return false;
		g0_attribute(dc, var, type, val, len);
	}
	return count <= DISS_MAX_ITEMS;
}

/* Skip objects we do not interpret; false when their size is unknown. */
static bool
skip_objects(struct cur *c, uint8_t g, uint8_t v, uint8_t q, long count)
{
	uint8_t pcode = (uint8_t)((q >> 4) & 7);
	size_t pw = prefix_width(pcode), size = object_size(g, v);
	unsigned bits = packed_bits(g, v);
	uint32_t prefix;

	if (count == 0)
		return true;
	if (pcode >= 4) {	/* each object carries its size */
		for (long i = 0; i < count && i < DISS_MAX_ITEMS; i++)
			if (!read_prefix(c, pw, &prefix) || !cur_skip(c, prefix))
				return false;
		return count <= DISS_MAX_ITEMS;
	}
	if (bits && pw == 0)
		return cur_skip(c, ((size_t)count * bits + 7) / 8);
	if (size == 0)
		return false;
	return cur_skip(c, (size_t)count * (pw + size));
}

static void
walk_objects(struct diss_ctx *dc, struct cur *c)
{
	uint8_t g, v, q;
	long count;

	for (unsigned n = 0; cur_left(c) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!cur_u8(c, &g) || !cur_u8(c, &v) || !cur_u8(c, &q) ||
		    (count = range_count(c, q)) < 0) {
			diss_count(dc, DNP3_BAD_APP);
			return;
		}
		if (g == 0) {
			if (!g0_objects(dc, c, v, q, count)) {
				diss_count(dc, DNP3_BAD_APP);
				return;
			}
		} else if (!skip_objects(c, g, v, q, count))
			return;	/* unknown size or past the end: stop here */
	}
}

/* --- operations ---------------------------------------------------------- */

#define AC_FIR		0x40
#define AC_SEQ		0x0f
#define IIN2_REFUSED	0x17	/* no function support, object unknown, parameter error, already executing */

/* Request functions that act on an outstation (IEEE 1815-2012 table 4-1). */
static const struct dnp3_op {
	uint8_t		 fc;
	uint8_t		 kind;		/* OP_NONE: decided by the objects (file functions) */
	bool		 answered;	/* the outstation responds ("no ack" variants do not) */
	const char	*name;
	struct fact_name src;
} dnp3_ops[] = {
	{ 3, OP_CONTROL_OPERATE, true, "select", FN("dnp3/select") },
	{ 4, OP_CONTROL_OPERATE, true, "operate", FN("dnp3/operate") },
	{ 5, OP_CONTROL_OPERATE, true, "direct_operate", FN("dnp3/direct_operate") },
	{ 6, OP_CONTROL_OPERATE, false, "direct_operate_nr", FN("dnp3/direct_operate_nr") },
	{ 7, OP_CONTROL_OPERATE, true, "immediate_freeze", FN("dnp3/immediate_freeze") },
	{ 8, OP_CONTROL_OPERATE, false, "immediate_freeze_nr", FN("dnp3/immediate_freeze_nr") },
	{ 9, OP_CONTROL_OPERATE, true, "freeze_clear", FN("dnp3/freeze_clear") },
	{ 10, OP_CONTROL_OPERATE, false, "freeze_clear_nr", FN("dnp3/freeze_clear_nr") },
	{ 11, OP_CONTROL_OPERATE, true, "freeze_at_time", FN("dnp3/freeze_at_time") },
	{ 12, OP_CONTROL_OPERATE, false, "freeze_at_time_nr", FN("dnp3/freeze_at_time_nr") },
	{ 13, OP_RESTART_COLD, true, "cold_restart", FN("dnp3/cold_restart") },
	{ 14, OP_RESTART_WARM, true, "warm_restart", FN("dnp3/warm_restart") },
	{ 15, OP_CONFIG_CHANGE, true, "initialize_data", FN("dnp3/initialize_data") },
	{ 16, OP_CONFIG_CHANGE, true, "initialize_application", FN("dnp3/initialize_application") },
	{ 17, OP_START, true, "start_application", FN("dnp3/start_application") },
	{ 18, OP_STOP, true, "stop_application", FN("dnp3/stop_application") },
	{ 19, OP_CONFIG_CHANGE, true, "save_configuration", FN("dnp3/save_configuration") },
	{ 20, OP_CONFIG_CHANGE, true, "enable_unsolicited", FN("dnp3/enable_unsolicited") },
	{ 21, OP_CONFIG_CHANGE, true, "disable_unsolicited", FN("dnp3/disable_unsolicited") },
	{ 22, OP_CONFIG_CHANGE, true, "assign_class", FN("dnp3/assign_class") },
	{ 25, OP_NONE, true, "open_file", FN("dnp3/open_file") },
	{ 26, OP_NONE, true, "close_file", FN("dnp3/close_file") },
	{ 27, OP_FILE_DELETE, true, "delete_file", FN("dnp3/delete_file") },
	{ 28, OP_FILE_READ, true, "get_file_info", FN("dnp3/get_file_info") },
	{ 30, OP_NONE, true, "abort_file", FN("dnp3/abort_file") },
};

static const struct dnp3_op *
find_op(uint8_t fc)
{
	for (size_t i = 0; i < sizeof(dnp3_ops) / sizeof(dnp3_ops[0]); i++)
		if (dnp3_ops[i].fc == fc)
			return &dnp3_ops[i];
	return NULL;
}

/*
 * Append to a bounded detail string (cut silently at its end, where
 * snprintf would cut it).  fmt is text with at most two "%u", taking a
 * then b: no printf for each object header of every request.
 */
static void
detail_add(char *d, size_t dsz, const char *fmt, unsigned a, unsigned b)
{
	unsigned arg[2] = { a, b }, k = 0;
	size_t n = strlen(d);

	if (n + 1 >= dsz)
		return;
	for (; *fmt != '\0' && n + 1 < dsz; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 'u') {
			char digits[10];
			unsigned v = arg[k++ & 1];
			size_t j = 0;

			do {
				digits[j++] = (char)('0' + v % 10);
				v /= 10;
			} while (v > 0);
			while (j > 0 && n + 1 < dsz)
				d[n++] = digits[--j];
			fmt++;
		} else
			d[n++] = *fmt;
	}
	d[n] = '\0';
}

/*
 * Indices of one object header's objects, for the detail: a range as
 * "idx S-E", an index-prefixed list as "idx A,B,C" (the first four, then
 * "+N").  Advances c past the objects; false if they cannot be walked.
 */
static bool
header_points(struct cur *c, uint8_t g, uint8_t v, uint8_t q, char *d, size_t dsz)
{
	size_t pw = prefix_width((uint8_t)(q >> 4)), size = object_size(g, v);
	uint8_t rc = q & 0x0f;
	struct cur r = *c;
	uint32_t start = 0, idx;
	long count;

	if (rc <= 5) {		/* start-stop: read them again for the detail */
		uint8_t s8 = 0;
		uint16_t s16 = 0;

		if (rc == 0 || rc == 3)
			cur_u8(&r, &s8), start = s8;
		else if (rc == 1 || rc == 4)
			cur_le16(&r, &s16), start = s16;
		else
			cur_le32(&r, &start);
	}
	if ((count = range_count(c, q)) < 0)
		return false;
	if (rc <= 5 && count > 0)
		detail_add(d, dsz, count > 1 ? " idx %u-%u" : " idx %u", start,
		    start + (unsigned)count - 1);
	if (pw == 0 || ((q >> 4) & 7) >= 4)
		return skip_objects(c, g, v, q, count);
	if (size == 0)
		return false;
	for (long i = 0; i < count && i < DISS_MAX_ITEMS; i++) {
		if (!read_prefix(c, pw, &idx) || !cur_skip(c, size))
			return false;
		if (i < 4)
			detail_add(d, dsz, i ? ",%u" : " idx %u", idx, 0);
	}
	if (count > 4)
		detail_add(d, dsz, " +%u", (unsigned)(count - 4), 0);
	return count <= DISS_MAX_ITEMS;
}

/* "gGvV idx ..." for the first object headers of a request. */
static void
objects_detail(const struct cur *objs, char *d, size_t dsz, uint8_t *first_group)
{
	struct cur c = *objs;
	uint8_t g, v, q;

	*first_group = 0;
	for (int n = 0; n < 3 && cur_left(&c) >= 3; n++) {
		if (!cur_u8(&c, &g) || !cur_u8(&c, &v) || !cur_u8(&c, &q))
			return;
		if (n == 0)
			*first_group = g;
		detail_add(d, dsz, " g%uv%u", g, v);
		if (!header_points(&c, g, v, q, d, dsz))
			return;
	}
}

/*
 * open_file (g70v3 file command, clause A.39.3): the mode says whether it
 * reads or writes, and the name what.
 *   [size prefix 2] name offset (2) | name size (2) | created (6) |
 *   permissions (2) | auth key (4) | file size (4) | mode (2: 1 read,
 *   2 write, 3 append) | max block (2) | request id (2) | name
 */
static uint8_t
open_file_kind(const struct cur *objs, char *d, size_t dsz)
{
	struct cur c = *objs, obj;
	uint8_t g, v, q, count;
	uint16_t size, name_off = 0, name_len = 0, mode = 0;
	const uint8_t *name;

	if (!cur_u8(&c, &g) || !cur_u8(&c, &v) || !cur_u8(&c, &q) || g != 70 || v != 3 ||
	    q != 0x5b || !cur_u8(&c, &count) || count < 1 || !cur_le16(&c, &size) ||
	    !cur_take(&c, size, &obj))
		return OP_FILE_WRITE;	/* an open we cannot read: assume the worse */
	cur_le16(&obj, &name_off);
	cur_le16(&obj, &name_len);
	cur_skip(&obj, 6 + 2 + 4 + 4);
	cur_le16(&obj, &mode);
	cur_skip(&obj, 4);
	if (!cur_ok(&obj))
		return OP_FILE_WRITE;
	detail_add(d, dsz, mode == 1 ? " read" : mode == 3 ? " append" : " write", 0, 0);
	if (name_len > 0 && name_len <= cur_left(&obj) && diss_str(&obj, name_len, &name)) {
		size_t n = strlen(d);

		if (n + 2 < dsz)
			snprintf(d + n, dsz - n, " %.*s", (int)name_len, (const char *)name);
	}
	return mode == 1 ? OP_FILE_READ : OP_FILE_WRITE;
}

/* Which operation a write (fc 2) or read (fc 1) is, by its first object. */
static uint8_t
object_op(uint8_t fc, uint8_t group, const char **name, struct fact_name *src)
{
	if (fc == FC_READ) {
		*name = "read", *src = FN("dnp3/read");
		return group == 70 ? OP_FILE_READ : OP_NONE;
	}
	*name = "write", *src = FN("dnp3/write");
	switch (group) {
	case 50:
		return OP_TIME_SET;
	case 70:
		return OP_FILE_WRITE;
	case 80:
		return OP_NONE;		/* clearing IIN1.7 after a restart: routine */
	case 0:
		return OP_NONE;
	}
	return OP_CONFIG_CHANGE;
}

static void
dnp3_operation(struct diss_ctx *dc, uint8_t ac, uint8_t fc, const struct cur *objs)
{
	struct dnp3_state *st = dc->state;
	const struct dnp3_op *op = find_op(fc);
	const char *name = NULL;
	struct fact_name src = { NULL, 0 };
	char d[OP_DETAIL_MAX];
	uint8_t kind, group;
	bool answered = true;

	if (op == NULL && fc != FC_READ && fc != FC_WRITE)
		return;
	d[0] = '\0';		/* a string: not all OP_DETAIL_MAX bytes zeroed */
	if (op) {
		name = op->name, src = op->src, answered = op->answered;
		detail_add(d, sizeof(d), name, 0, 0);	/* a name from dnp3_ops: no '%' */
	}
	if (fc == FC_OPEN_FILE) {
		kind = open_file_kind(objs, d, sizeof(d));
		if (st)
			st->file_kind = kind;
	} else if (op && op->kind == OP_NONE) {	/* close / abort: what the open was for */
		kind = st && st->file_kind ? st->file_kind : OP_FILE_WRITE;
	} else {
		objects_detail(objs, d + strlen(d), sizeof(d) - strlen(d), &group);
		kind = op ? op->kind : object_op(fc, group, &name, &src);
		if (op == NULL && kind != OP_NONE) {
			char tmp[OP_DETAIL_MAX];

			snprintf(tmp, sizeof(tmp), "%s%s", name, d);
			snprintf(d, sizeof(d), "%s", tmp);
		}
	}
	if (kind == OP_NONE)
		return;
	diss_op_fn(dc, (enum op_kind)kind, OP_REQUEST, src, d, strlen(d));
	if (st) {
		struct dnp3_pending *p = &st->pending[dc->dir & 1];

		p->kind = answered ? kind : OP_NONE;
		p->seq = ac & AC_SEQ;
		p->src = src;
	}
}

/* The status byte of the first echoed control object (CROB g12v1, analog output g41). */
static bool
control_refused(const struct cur *objs)
{
	static const uint8_t g41_value[5] = { 0, 4, 2, 4, 8 };
	struct cur c = *objs;
	uint8_t g, v, q, status;
	uint32_t prefix;
	size_t skip;

	if (!cur_u8(&c, &g) || !cur_u8(&c, &v) || !cur_u8(&c, &q) || range_count(&c, q) <= 0)
		return false;
	if (g == 12 && v == 1)
		skip = 10;		/* code, count, on-time, off-time */
	else if (g == 41 && v >= 1 && v <= 4)
		skip = g41_value[v];
	else
		return false;
	if (!read_prefix(&c, prefix_width((uint8_t)(q >> 4)), &prefix) || !cur_skip(&c, skip) ||
	    !cur_u8(&c, &status))
		return false;
	return status != 0;
}

/* A response (fc 129) to the operation awaited in the other direction. */
static void
dnp3_op_response(struct diss_ctx *dc, uint8_t ac, uint16_t iin, const struct cur *objs)
{
	struct dnp3_state *st = dc->state;
	struct dnp3_pending *p;
	bool refused;

	if (st == NULL || !(ac & AC_FIR))
		return;
	p = &st->pending[(dc->dir ^ 1) & 1];
	if (p->kind == OP_NONE || p->seq != (ac & AC_SEQ))
		return;
	refused = ((iin >> 8) & IIN2_REFUSED) != 0 ||
	    (p->kind == OP_CONTROL_OPERATE && control_refused(objs));
	diss_op_fn(dc, (enum op_kind)p->kind, refused ? OP_REPLY_FAILED : OP_REPLY_OK, p->src,
	    NULL, 0);
	p->kind = OP_NONE;
}

static void
dnp3_app(struct diss_ctx *dc, struct cur *app)
{
	uint8_t ac, fc;
	uint16_t iin;

	if (!cur_u8(app, &ac) || !cur_u8(app, &fc)) {
		diss_count(dc, DNP3_BAD_APP);
		return;
	}
	if (fc < FC_RESPONSE) {
		dnp3_request(dc, ac, fc, app);
		return;
	}
	if (!cur_le16(app, &iin)) {
		diss_count(dc, DNP3_BAD_APP);
		return;
	}
	if (fc == FC_RESPONSE)
		dnp3_op_response(dc, ac, iin, app);
	if (fc == FC_UNSOLICITED) {
		diss_fact_num(dc, SIDE_SRC, A_FUNCTION, "dnp3/unsolicited",
		    CONF_STATED, "dnp3:", fc);
		call_out(dc, DNP3_UNSOLICITED, "dnp3_unsolicited", fc);
	}
	if (fc == FC_RESPONSE || fc == FC_UNSOLICITED)
		walk_objects(dc, app);
}

static void
reasm_reset(struct dnp3_reasm *r)
{
	r->active = false;
	r->len = 0;
}

static bool
reasm_append(struct dnp3_reasm *r, struct cur *seg)
{
	size_t n = cur_left(seg), need = r->len + n;

	if (need > DISS_MAX_FRAGMENT)
		return false;
	if (need > r->cap) {
		size_t cap = r->cap ? r->cap : FRAG_INITIAL;
		uint8_t *nb;

		while (cap < need)
			cap *= 2;
		if (cap > DISS_MAX_FRAGMENT)
			cap = DISS_MAX_FRAGMENT;
		if ((nb = realloc(r->buf, cap)) == NULL)
			return false;
		r->buf = nb;
		r->cap = cap;
	}
	cur_copy(seg, r->buf + r->len, n);
	r->len = need;
	return true;
}

/* Transport segment: header (1) then part of an application fragment. */
static void
dnp3_transport(struct diss_ctx *dc, struct dnp3_state *st, uint16_t src,
    uint16_t dst, struct cur *seg)
{
	struct dnp3_reasm *r;
	struct cur frag;
	uint8_t th, seq;

	if (!cur_u8(seg, &th))
		return;
	seq = th & TH_SEQ;
	if ((th & TH_FIR_BIT) && (th & TH_FIN_BIT)) {
		if (st)
			reasm_reset(&st->rs[dc->dir & 1]);
		dnp3_app(dc, seg);
		return;
	}
	if (st == NULL) {
		diss_count(dc, DNP3_FRAG_DROPPED);
		return;
	}
	r = &st->rs[dc->dir & 1];
	if (th & TH_FIR_BIT) {
		reasm_reset(r);
		r->active = true;
		r->src = src;
		r->dst = dst;
	} else if (!r->active || r->src != src || r->dst != dst || seq != r->next_seq) {
		reasm_reset(r);
		diss_count(dc, DNP3_FRAG_DROPPED);
		return;
	}
	if (!reasm_append(r, seg)) {
		reasm_reset(r);
		diss_count(dc, DNP3_FRAG_DROPPED);
		return;
	}
	r->next_seq = (uint8_t)((seq + 1) & TH_SEQ);
	if (th & TH_FIN_BIT) {
		frag = cur_make(r->buf, r->len);
		dnp3_app(dc, &frag);
		reasm_reset(r);
	}
}

/*
 * One whole link frame whose header CRC was checked.  The user data
 * blocks are checked and copied out without their CRCs before anything
 * is believed.
 */
static void
dnp3_frame(struct diss_ctx *dc, struct dnp3_state *st, struct cur *f)
{
	uint8_t ud[LINK_UD_MAX], len = 0, ctl = 0;
	uint16_t dst = 0, src = 0;
	size_t ud_len, n = 0;
	struct cur block, seg;

	cur_skip(f, 2);
	cur_u8(f, &len);
	cur_u8(f, &ctl);
	cur_le16(f, &dst);
	cur_le16(f, &src);
	if (!cur_skip(f, 2) || len < LINK_LEN_MIN)
		return;
	ud_len = (size_t)len - LINK_LEN_MIN;
	while (n < ud_len) {
		size_t b = ud_len - n < LINK_BLOCK ? ud_len - n : LINK_BLOCK;

		if (!crc_block(f, b, &block) || !cur_copy(&block, ud + n, b)) {
			diss_count(dc, DNP3_BAD_CRC);
			return;
		}
		n += b;
	}
	diss_pdu(dc);
	link_roles(dc, ctl, src, dst);
	if ((ctl & CTL_PRM) && ud_len > 0 &&
	    ((ctl & CTL_FUNC) == PRI_CONFIRMED_DATA ||
	    (ctl & CTL_FUNC) == PRI_UNCONFIRMED_DATA)) {
		seg = cur_make(ud, ud_len);
		dnp3_transport(dc, st, src, dst, &seg);
	}
}

static bool
is_datagram(const struct diss_ctx *dc)
{
	return dc->flow.transport == L4_UDP;
}

/*
 * Stream (TCP) or datagram (UDP): every whole frame; on TCP the cursor
 * stays at the start of an incomplete one.
 */
static enum diss_rc
dnp3_parse(struct diss_ctx *dc, struct cur *c)
{
	struct dnp3_state *st = dc->state;
	struct cur frame;
	uint8_t len;
	size_t size;

	while (cur_left(c) >= LINK_HDR_LEN) {
		if (!link_header_ok(c, &len)) {
			uint8_t s0 = 0, s1 = 0;

			cur_peek_u8(c, 0, &s0);
			cur_peek_u8(c, 1, &s1);
			if (s0 == LINK_START0 && s1 == LINK_START1)
				diss_count(dc, DNP3_BAD_CRC);
			return DISS_NOT_MINE;
		}
		size = frame_size(len);
		if (cur_left(c) < size)
			return is_datagram(dc) ? DISS_SHORT : DISS_OK;
		if (!cur_take(c, size, &frame))
			break;
		dnp3_frame(dc, st, &frame);
	}
	if (cur_left(c) > 0 && is_datagram(dc))
		return DISS_SHORT;
	return DISS_OK;
}

/* Heuristic: a link header with a good CRC. */
static bool
dnp3_probe(const struct cur *c, int dir)
{
	uint8_t len;

	(void)dir;
	return link_header_ok(c, &len);
}

static void
dnp3_gap(struct diss_ctx *dc)
{
	struct dnp3_state *st = dc->state;

	if (st)
		reasm_reset(&st->rs[dc->dir & 1]);
}

static void
dnp3_close(void *state)
{
	struct dnp3_state *st = state;

	for (int i = 0; i < 2; i++) {
		free(st->rs[i].buf);
		st->rs[i].buf = NULL;
		st->rs[i].cap = 0;
		reasm_reset(&st->rs[i]);
	}
}

const struct dissector dis_dnp3 = {
	.name = "dnp3",
	.transport = L4_TCP,
	.also_udp = true,
	.ports = { 20000 },
	.state_size = sizeof(struct dnp3_state),
	.probe = dnp3_probe,
	.parse = dnp3_parse,
	.on_gap = dnp3_gap,
	.on_close = dnp3_close,
	.counter_names = { "bad_crc", "frag_dropped", "bad_app", "control",
	    "restart", "file", "time_sync", "unsolicited" },
};
