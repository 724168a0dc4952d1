/* version.h: the release of mqlcal, written into stores, reports and rule files. */
#ifndef MQLCAL_VERSION_H
#define MQLCAL_VERSION_H

#define MQLCAL_VERSION "0.1.0"

#endif
