/**
 * Registers every filter family (importing this module fills the filter table).
 *
 * @module
 */
import "./jinja.ts";
import "./core.ts";
import "./encoding.ts";
import "./path.ts";
import "./random.ts";
import "./hash.ts";
import "./time.ts";
import "./regex.ts";
import "./dict.ts";
import "./list.ts";
import "./math.ts";
import "./url.ts";
